using System.Collections;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using NFStream.Engine.Plugins;
using NFStream.Completion;
using NFStream.Hosting;
using NFStream.Plugins;

namespace NFStream.Commands;

/// <summary>The New-NFPlugin cmdlet. Its help, the only copy, is en-US/cmdlets/New-NFPlugin.md.</summary>
[Cmdlet(VerbsCommon.New, "NFPlugin", DefaultParameterSetName = ScriptBlockSet)]
[OutputType(typeof(NFPlugin), ParameterSetName = new[] { ScriptBlockSet })]
[OutputType(typeof(IFlowPlugin), ParameterSetName = new[] { OnnxSet })]
public sealed class NewNFPluginCommand : PSCmdlet
{
    private const string ScriptBlockSet = "ScriptBlock";
    private const string OnnxSet = "OnnxModel";

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter(ParameterSetName = ScriptBlockSet)]
    public ScriptBlock? OnInit { get; set; }

    [Parameter(ParameterSetName = ScriptBlockSet)]
    public ScriptBlock? OnUpdate { get; set; }

    [Parameter(ParameterSetName = ScriptBlockSet)]
    public ScriptBlock? OnExpire { get; set; }

    [Parameter(ParameterSetName = ScriptBlockSet)]
    public ScriptBlock? OnCleanup { get; set; }

    [Parameter(ParameterSetName = ScriptBlockSet)]
    public Hashtable? Parameter { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = OnnxSet)]
    [ValidateNotNullOrEmpty]
    public string OnnxModel { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = OnnxSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FlowColumnNameCompleter))]
    public string[] Feature { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = OnnxSet)]
    public NFPluginScoreTime When { get; set; } = NFPluginScoreTime.Expire;

    [Parameter(ParameterSetName = OnnxSet)]
    [ValidateRange(1, 65535)]
    public int AfterPackets { get; set; }

    [Parameter(ParameterSetName = OnnxSet)]
    [ValidateNotNullOrEmpty]
    public string? Output { get; set; }

    [Parameter(ParameterSetName = OnnxSet)]
    public SwitchParameter Probability { get; set; }

    protected override void EndProcessing()
    {
        if (ParameterSetName == OnnxSet)
        {
            NewOnnxPlugin();
            return;
        }
        if (OnInit is null && OnUpdate is null && OnExpire is null && OnCleanup is null)
            WriteWarning($"The plugin '{Name}' has no callback: it will do nothing.");
        WriteObject(new NFPlugin(Name)
        {
            OnInit = OnInit,
            OnUpdate = OnUpdate,
            OnExpire = OnExpire,
            OnCleanup = OnCleanup,
            Parameter = Parameter is null ? new Hashtable(StringComparer.OrdinalIgnoreCase) : new Hashtable(Parameter, StringComparer.OrdinalIgnoreCase),
        });
    }

    private void NewOnnxPlugin()
    {
        bool afterPackets = MyInvocation.BoundParameters.ContainsKey(nameof(AfterPackets));
        if (When == NFPluginScoreTime.AfterPackets && !afterPackets)
            ThrowTerminatingError(Errors.AfterPacketsMissing(Name));
        if (afterPackets && MyInvocation.BoundParameters.ContainsKey(nameof(When)) && When == NFPluginScoreTime.Expire)
            ThrowTerminatingError(Errors.ScoreTimeConflict(Name));
        string path = GetUnresolvedProviderPathFromPSPath(OnnxModel);
        // ONNX Runtime is loaded only here, in a method of its own, so that importing the module never loads it.
        WriteObject(CreateOnnxPlugin(path));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private IFlowPlugin CreateOnnxPlugin(string path)
    {
        try
        {
            return new Engine.Plugins.Onnx.OnnxModelPlugin(Name, path, Feature,
                AfterPackets > 0 ? Engine.Plugins.Onnx.OnnxScoreTime.AfterPackets : Engine.Plugins.Onnx.OnnxScoreTime.Expire,
                AfterPackets, Output, Probability);
        }
        catch (Engine.Plugins.Onnx.OnnxModelException e)
        {
            ThrowTerminatingError(Errors.OnnxModelInvalid(e, path));
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(Errors.OnnxFeatureInvalid(e, Feature));
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or BadImageFormatException)
        {
            ThrowTerminatingError(Errors.OnnxRuntimeUnavailable(path, e));
        }
        return null!;
    }
}
