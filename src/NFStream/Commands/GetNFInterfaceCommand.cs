using System.Management.Automation;
using NFStream.Engine.Capture;
using NFStream.Hosting;

namespace NFStream.Commands;

/// <summary>
/// <para type="synopsis">Lists the network interfaces that Start-NFCapture can capture on.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "NFInterface")]
[OutputType(typeof(CaptureInterface))]
public sealed class GetNFInterfaceCommand : PSCmdlet
{
    /// <summary>Only interfaces whose name matches (wildcards).</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    protected override void EndProcessing()
    {
        IReadOnlyList<CaptureInterface> interfaces;
        try
        {
            interfaces = CaptureInterface.List();
        }
        catch (LiveCaptureException e)
        {
            ThrowTerminatingError(Errors.LiveCaptureFailed(e));
            return;
        }
        var patterns = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
        foreach (var name in Name ?? Array.Empty<string>())
        {
            if (!WildcardPattern.ContainsWildcardCharacters(name) && interfaces.All(i => i.Name != name))
                WriteError(Errors.LiveCaptureFailed(new LiveCaptureException(name, LiveCaptureProblem.UnknownInterface, $"There is no interface '{name}'.")));
        }
        foreach (var i in interfaces)
            if (patterns is null || patterns.Any(p => p.IsMatch(i.Name))) WriteObject(i);
    }
}
