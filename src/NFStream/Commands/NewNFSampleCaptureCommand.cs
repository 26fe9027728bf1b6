using System.Management.Automation;
using NFStream.Engine.Samples;
using NFStream.Hosting;

namespace NFStream.Commands;

/// <summary>
/// <para type="synopsis">Writes a small, deterministic sample capture to try the module on.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "NFSampleCapture", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(FileInfo))]
public sealed class NewNFSampleCaptureCommand : PSCmdlet
{
    private const string PathSet = "Path", LiteralPathSet = "LiteralPath";

    /// <summary>The file to write.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The file to write, taken exactly as typed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    /// <summary>Classic pcap (default) or pcapng.</summary>
    [Parameter]
    public SampleCaptureFormat Format { get; set; } = SampleCaptureFormat.Pcap;

    /// <summary>Seed of the generator: the same seed gives the same bytes.</summary>
    [Parameter]
    public int Seed { get; set; } = 1;

    /// <summary>Rounds of traffic (each adds about nine flows, 15 seconds apart).</summary>
    [Parameter]
    [ValidateRange(1, 100_000)]
    public int Rounds { get; set; } = 4;

    /// <summary>Overwrite an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Emit the written file.</summary>
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
