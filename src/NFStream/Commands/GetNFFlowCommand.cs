using System.Management.Automation;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;
using NFStream.Hosting;

namespace NFStream.Commands;

/// <summary>
/// <para type="synopsis">Reads pcap and pcapng captures and emits their bidirectional flows.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "NFFlow", DefaultParameterSetName = PathSet)]
[OutputType(typeof(NFlow))]
public sealed class GetNFFlowCommand : FlowCommandBase
{
    private const string PathSet = "Path", LiteralPathSet = "LiteralPath";
    private readonly List<string> continuousFiles = new();
    private int fileNumber;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>Treat all files, in the given order, as one capture (flow cache and clock carry across files).</summary>
    [Parameter]
    public SwitchParameter Continuous { get; set; }

    private FlowOptions? options;

    protected override void BeginProcessing() => options = BuildOptions();

    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        var files = ProviderPaths.ResolveInputFiles(this, literal ? LiteralPath : Path, literal);
        if (Continuous)
        {
            continuousFiles.AddRange(files);
            return;
        }
        foreach (var file in files)
        {
            if (Cancellation.IsCancellationRequested || MaxFlowsReached) return;
            var extractor = CreateExtractor(options!);
            try
            {
                ReadFile(extractor, file);
                FinishCapture(extractor, file);
            }
            finally
            {
                if (!ReaderAbandoned) extractor.Dispose();
            }
        }
    }

    protected override void EndProcessing()
    {
        EndContinuousCapture();
        CleanupPlugins();
    }

    private void EndContinuousCapture()
    {
        if (!Continuous || continuousFiles.Count == 0) return;
        var extractor = CreateExtractor(options!);
        try
        {
            foreach (var file in continuousFiles)
            {
                if (!ReadFile(extractor, file)) break;
            }
            FinishCapture(extractor, string.Join(", ", continuousFiles.Select(System.IO.Path.GetFileName)));
        }
        finally
        {
            if (!ReaderAbandoned) extractor.Dispose();
        }
    }

    /// <returns>False when the run is over (stopped or -MaxFlows reached).</returns>
    private bool ReadFile(FlowExtractor extractor, string file)
    {
        IPacketSource source;
        try
        {
            source = CaptureFile.Open(file);
        }
        catch (CaptureFileException e)
        {
            WriteError(Errors.CaptureUnreadable(e));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(Errors.FileAccess(file, e));
            return true;
        }
        using (source)
        {
            var progress = new ProgressRecord(1, "Reading capture", System.IO.Path.GetFileName(file))
            {
                CurrentOperation = $"File {++fileNumber}",
            };
            var unsupportedBefore = extractor.Statistics.Ignored(Engine.Decoding.IgnoreReason.UnsupportedLinkType);
            bool more = MeterSource(extractor, source, progress);
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            if (extractor.Statistics.Ignored(Engine.Decoding.IgnoreReason.UnsupportedLinkType) > unsupportedBefore
                && source is IHasLinkType typed)
                WriteError(Errors.UnsupportedLinkType(file, typed.LinkType));
            if (source is IWireLengthRepairs { WireLengthsClamped: > 0 } repaired)
                WriteWarning($"{file}: {repaired.WireLengthsClamped} records claimed a wire length over {PacketRecord.MaxWireLength} bytes " +
                    $"(the first at byte offset {repaired.FirstClampedOffset}): a crafted or damaged file. The byte counts of their flows include " +
                    "the claimed lengths as NFStream counts them (truncated to 16 bits) and are unreliable.");
            return more;
        }
    }
}
