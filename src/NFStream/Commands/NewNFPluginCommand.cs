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

    /// <summary>The plugin's name, used in error messages; for an ONNX model, also the udps key of its value.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>Runs on the packet that creates a flow: <c>param($packet, $flow)</c>.</summary>
    [Parameter(ParameterSetName = ScriptBlockSet)]
    public ScriptBlock? OnInit { get; set; }

    /// <summary>Runs on every later packet of the flow, after its counters include it: <c>param($packet, $flow)</c>.</summary>
    [Parameter(ParameterSetName = ScriptBlockSet)]
    public ScriptBlock? OnUpdate { get; set; }

    /// <summary>Runs when the flow expires, before it is emitted: <c>param($flow)</c>.</summary>
    [Parameter(ParameterSetName = ScriptBlockSet)]
    public ScriptBlock? OnExpire { get; set; }

    /// <summary>Runs once when the run ends, also after Ctrl+C or an error.</summary>
    [Parameter(ParameterSetName = ScriptBlockSet)]
    public ScriptBlock? OnCleanup { get; set; }

    /// <summary>Values the scriptblocks see as variables: @{ Threshold = 10 } gives $Threshold.</summary>
    [Parameter(ParameterSetName = ScriptBlockSet)]
    public Hashtable? Parameter { get; set; }

    /// <summary>An ONNX model file that scores each flow; its value goes to udps.NAME.</summary>
    [Parameter(Mandatory = true, ParameterSetName = OnnxSet)]
    [ValidateNotNullOrEmpty]
    public string OnnxModel { get; set; } = "";

    /// <summary>The flow columns that make the model's input row, in order; SPLT series give their N values each.</summary>
    [Parameter(Mandatory = true, ParameterSetName = OnnxSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FlowColumnNameCompleter))]
    public string[] Feature { get; set; } = Array.Empty<string>();

    /// <summary>When the model scores a flow: Expire (default) or AfterPackets (with -AfterPackets N).</summary>
    [Parameter(ParameterSetName = OnnxSet)]
    public NFPluginScoreTime When { get; set; } = NFPluginScoreTime.Expire;

    /// <summary>Scores each flow once, when it reaches this many packets (early classification).</summary>
    [Parameter(ParameterSetName = OnnxSet)]
    [ValidateRange(1, 65535)]
    public int AfterPackets { get; set; }

    /// <summary>The model output whose value goes to udps.NAME; by default the only output, or the label of a classifier.</summary>
    [Parameter(ParameterSetName = OnnxSet)]
    [ValidateNotNullOrEmpty]
    public string? Output { get; set; }

    /// <summary>Also stores the class probabilities, in udps.NAME_probability.</summary>
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
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-When AfterPackets needs -AfterPackets N: the packet count at which each flow is scored."),
                "AfterPacketsMissing", ErrorCategory.InvalidArgument, Name));
        if (afterPackets && MyInvocation.BoundParameters.ContainsKey(nameof(When)) && When == NFPluginScoreTime.Expire)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-When Expire scores flows when they expire; -AfterPackets scores them earlier. Give one of them."),
                "ScoreTimeConflict", ErrorCategory.InvalidArgument, Name));
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
            ThrowTerminatingError(new ErrorRecord(e, "OnnxFeatureInvalid", ErrorCategory.InvalidArgument, Feature));
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or BadImageFormatException)
        {
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(
                $"ONNX Runtime could not be loaded ({e.Message}). The module ships it for its build platform; rebuild the module on this platform.", e),
                "OnnxRuntimeUnavailable", ErrorCategory.NotInstalled, path));
        }
        return null!;
    }
}
