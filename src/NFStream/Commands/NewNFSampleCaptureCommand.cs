using System.Management.Automation;
using NFStream.Engine.Samples;
using NFStream.Hosting;

namespace NFStream.Commands;

/// <summary>The New-NFSampleCapture cmdlet. Its help, the only copy, is en-US/cmdlets/New-NFSampleCapture.md.</summary>
[Cmdlet(VerbsCommon.New, "NFSampleCapture", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(FileInfo))]
public sealed class NewNFSampleCaptureCommand : PSCmdlet
{
    private const string PathSet = "Path", LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    [Parameter]
    public SampleCaptureFormat Format { get; set; } = SampleCaptureFormat.Pcap;

    [Parameter]
    public int Seed { get; set; } = 1;

    [Parameter]
    [ValidateRange(1, 100_000)]
    public int Rounds { get; set; } = 4;

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        string path = ProviderPaths.ResolveOutputFile(this, literal ? LiteralPath : Path, literal);
        if (File.Exists(path) && !Force)
        {
            WriteError(Errors.FileExists(path));
            return;
        }
        if (!ShouldProcess(path, "Write sample capture")) return;
        try
        {
            SampleCapture.Write(path, Format, Seed, Rounds);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(Errors.FileAccess(path, e));
            return;
        }
        if (PassThru) WriteObject(new FileInfo(path));
    }
}
