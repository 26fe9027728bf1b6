using System.Collections;
using System.Management.Automation;
using NFStream.Plugins;

namespace NFStream.Commands;

/// <summary>The New-NFPlugin cmdlet. Its help, the only copy, is en-US/cmdlets/New-NFPlugin.md.</summary>
[Cmdlet(VerbsCommon.New, "NFPlugin")]
[OutputType(typeof(NFPlugin))]
public sealed class NewNFPluginCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter]
    public ScriptBlock? OnInit { get; set; }

    [Parameter]
    public ScriptBlock? OnUpdate { get; set; }

    [Parameter]
    public ScriptBlock? OnExpire { get; set; }

    [Parameter]
    public ScriptBlock? OnCleanup { get; set; }

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
