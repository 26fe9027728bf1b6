using System.Management.Automation;
using NFStream.Engine.Capture;
using NFStream.Completion;
using NFStream.Hosting;

namespace NFStream.Commands;

/// <summary>
/// <para type="synopsis">Lists the network interfaces that Start-NFCapture can capture on.</para>
/// <para type="description">
/// One object per interface that libpcap knows: its name, description, addresses, hardware address, whether it
/// is up and running, and whether it is a loopback or wireless interface. The objects pipe into
/// Start-NFCapture, which takes -Interface from their Name property. Listing needs no capture rights.
/// </para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "NFInterface")]
[OutputType(typeof(CaptureInterface))]
public sealed class GetNFInterfaceCommand : PSCmdlet
{
    /// <summary>Only the interfaces whose name matches (wildcards allowed). All of them when absent.</summary>
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
