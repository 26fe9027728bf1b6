using System.Collections;
using System.Management.Automation;
using NFStream.Plugins;

namespace NFStream.Commands;

/// <summary>
/// <para type="synopsis">Creates a flow plugin from scriptblocks, for Get-NFFlow -Plugin.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "NFPlugin")]
[OutputType(typeof(NFPlugin))]
public sealed class NewNFPluginCommand : PSCmdlet
{
    /// <summary>The plugin's name, used in error messages.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>Runs on the packet that creates a flow: <c>param($packet, $flow)</c>.</summary>
    [Parameter]
    public ScriptBlock? OnInit { get; set; }

    /// <summary>Runs on every later packet of the flow, after its counters include it: <c>param($packet, $flow)</c>.</summary>
    [Parameter]
    public ScriptBlock? OnUpdate { get; set; }

    /// <summary>Runs when the flow expires, before it is emitted: <c>param($flow)</c>.</summary>
    [Parameter]
    public ScriptBlock? OnExpire { get; set; }

    /// <summary>Runs once when the run ends, also after Ctrl+C or an error.</summary>
    [Parameter]
    public ScriptBlock? OnCleanup { get; set; }

    /// <summary>Values the scriptblocks see as variables: @{ Threshold = 10 } gives $Threshold.</summary>
    [Parameter]
    public Hashtable? Parameter { get; set; }

    protected override void EndProcessing()
    {
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
}
