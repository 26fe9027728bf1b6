using System.Management.Automation;
using NFStream.Engine.Capture;
using NFStream.Completion;
using NFStream.Hosting;

namespace NFStream.Commands;

/// <summary>The Get-NFInterface cmdlet. Its help, the only copy, is en-US/cmdlets/Get-NFInterface.md.</summary>
[Cmdlet(VerbsCommon.Get, "NFInterface")]
[OutputType(typeof(CaptureInterface))]
public sealed class GetNFInterfaceCommand : PSCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    public string[]? Name { get; set; }

    private IReadOnlyList<CaptureInterface>? interfaces;

    protected override void ProcessRecord()
    {
        try
        {
            interfaces ??= CaptureInterface.List();
        }
        catch (LiveCaptureException e)
        {
            ThrowTerminatingError(Errors.LiveCaptureFailed(e));
            return;
        }
        if (Name is null)
        {
            WriteObject(interfaces, enumerateCollection: true);
            return;
        }
        foreach (string name in Name)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.None);
            var matches = interfaces.Where(i => pattern.IsMatch(i.Name)).ToArray();
            if (matches.Length == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                WriteError(Errors.LiveCaptureFailed(new LiveCaptureException(LiveCaptureFailure.InterfaceNotFound, name,
                    $"There is no network interface named '{name}' to capture on.")));
            WriteObject(matches, enumerateCollection: true);
        }
    }
}
