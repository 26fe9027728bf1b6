using System.Management.Automation;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;
using NFStream.Hosting;

namespace NFStream.Commands;

/// <summary>The Get-NFFlow cmdlet. Its help, the only copy, is en-US/cmdlets/Get-NFFlow.md.</summary>
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

    [Parameter]
    public SwitchParameter Continuous { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    private FlowOptions? options;

    /// <summary>Files being metered ahead of the one whose flows are written (-ThrottleLimit), in input order.</summary>
    private readonly Queue<FileRun> running = new();

    /// <summary>The -ThrottleLimit threads that meter the files in <see cref="running"/>, in input order.</summary>
    private MeteringWorkers? workers;

    /// <summary>
    /// Files opened ahead per metering thread. A file that has been metered waits with the flows it had at its end
    /// (its read buffer went back) for the files before it to be written, so the threads go on to later files
    /// while a long one is metered or written. This bounds how many wait (open files), and
    /// <see cref="MaxBytesAhead"/> bounds the flows they hold: beyond one file per thread, files are opened ahead
    /// only while the files waiting add up to less than that.
    /// </summary>
    private const int FilesAheadPerThread = 16;

    /// <summary>The input bytes of the files opened ahead, past one per thread (a file's flows grow with its length).</summary>
    private const long MaxBytesAhead = 256L << 20;

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
        if (Plugin is not { Length: > 0 } && MaxFlows == 0)   // -MaxFlows reads files in turn and stops early
        {
            MeterInParallel(files);
            return;
        }
        for (int i = 0; i < files.Count; i++)
        {
            string file = files[i];
            if (Cancellation.IsCancellationRequested || MaxFlowsReached) return;
            var extractor = CreateExtractor(PlanMeters(options!, FileLength(file)), moreCapturesFollow: i + 1 < files.Count);
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
        while (running.Count > 0 && !Cancellation.IsCancellationRequested) WriteOldestRun();
        workers?.Dispose();
        EndContinuousCapture();
        CleanupPlugins();
    }

    /// <summary>
    /// Starts a metering loop for each file, at most -ThrottleLimit metering at once (<see cref="workers"/>), and
    /// writes the flows of the oldest while the others meter ahead (each loop's output queue is bounded: a loop far
    /// ahead waits). Files are written whole and in input order, so the output, ids included, is that of a serial run.
    /// </summary>
    private void MeterInParallel(IReadOnlyList<string> files)
    {
        workers ??= new MeteringWorkers(ThrottleLimit);
        for (int i = 0; i < files.Count; i++)
        {
            if (Cancellation.IsCancellationRequested) return;
            long length = Math.Max(0, FileLength(files[i]));
            while (running.Count >= ThrottleLimit * FilesAheadPerThread ||
                   (running.Count >= ThrottleLimit && running.Sum(run => run.Length) + length > MaxBytesAhead))
                WriteOldestRun();
            // A lone file may shard over meters; a file among others is metered by one meter (the files take the cores).
            int parallel = Math.Min(ThrottleLimit, running.Count + files.Count - i);
            running.Enqueue(FileRun.Start(this, files[i], length, parallel, moreFollow: i + 1 < files.Count));
        }
    }

    private void WriteOldestRun()
    {
        using var run = running.Dequeue();
        if (run.OpenError is not null)
        {
            WriteError(run.OpenError);
            return;
        }
        var progress = NewProgress(run.File);
        var extractor = run.Loop!.Extractor;
        var unsupportedBefore = 0L;
        WriteLoopFlows(run.Loop, progress);
        bool flushed = run.Loop.Finished;
        run.Loop.Dispose();
        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
        ReportUnsupportedLinkType(extractor, run.Source!, run.File, unsupportedBefore);
        FinishCapture(extractor, run.File, flushed);
    }

    /// <summary>One file of a parallel read: its source, extractor and metering loop, or the error opening it.</summary>
    private sealed class FileRun : IDisposable
    {
        public required string File { get; init; }
        /// <summary>The file's length when it was opened (0 when unknown).</summary>
        public required long Length { get; init; }
        public IPacketSource? Source { get; private init; }
        public ExtractionThread? Loop { get; private init; }
        public ErrorRecord? OpenError { get; private init; }
        private FlowExtractor? extractor;

        public static FileRun Start(GetNFFlowCommand command, string file, long length, int parallel, bool moreFollow)
        {
            var source = command.OpenFile(file, out var error);
            if (source is null) return new FileRun { File = file, Length = length, OpenError = error };
            FlowExtractor? extractor = null;
            try
            {
                extractor = command.CreateExtractor(command.PlanMeters(command.options!, source.Length, parallel),
                    moreCapturesFollow: moreFollow);
                return new FileRun
                {
                    File = file,
                    Length = length,
                    Source = source,
                    extractor = extractor,
                    Loop = new ExtractionThread(extractor, source, PacketsPerBatch, finishAtEnd: true, command.workers),
                };
            }
            catch
            {
                extractor?.Dispose();
                source.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            Loop?.Dispose();
            Source?.Dispose();
            extractor?.Dispose();
        }
    }

    protected override void ReleaseRuns()
    {
        while (running.Count > 0) running.Dequeue().Dispose();
        workers?.Dispose();
    }

    private static long FileLength(string file)
    {
        try
        {
            return new FileInfo(file).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return -1;
        }
    }

    private void EndContinuousCapture()
    {
        if (!Continuous || continuousFiles.Count == 0) return;
        var extractor = CreateExtractor(PlanMeters(options!, continuousFiles.Sum(FileLength)));
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

    /// <summary>Opens a capture file; null, with the ErrorRecord to write, when it can't be opened.</summary>
    private IPacketSource? OpenFile(string file, out ErrorRecord? error)
    {
        error = null;
        try
        {
            return CaptureFile.Open(file);
        }
        catch (CaptureFileException e)
        {
            error = Errors.CaptureUnreadable(e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = Errors.FileAccess(file, e);
        }
        return null;
    }

    private ProgressRecord NewProgress(string file) =>
        new(1, "Reading capture", System.IO.Path.GetFileName(file)) { CurrentOperation = $"File {++fileNumber}" };

    private void ReportUnsupportedLinkType(FlowExtractor extractor, IPacketSource source, string file, long before)
    {
        if (extractor.Statistics.Ignored(Engine.Decoding.IgnoreReason.UnsupportedLinkType) > before
            && source is IHasLinkType typed)
            WriteError(Errors.UnsupportedLinkType(file, typed.LinkType));
        if (source is IWireLengthRepairs { WireLengthsClamped: > 0 } repaired)
            WriteWarning($"{file}: {repaired.WireLengthsClamped} records claimed a wire length over {PacketRecord.MaxWireLength} bytes " +
                $"(the first at byte offset {repaired.FirstClampedOffset}): a crafted or damaged file. The byte counts of their flows include " +
                "the claimed lengths as NFStream counts them (truncated to 16 bits) and are unreliable.");
    }

    /// <returns>False when the run is over (stopped or -MaxFlows reached).</returns>
    private bool ReadFile(FlowExtractor extractor, string file)
    {
        var source = OpenFile(file, out var error);
        if (source is null)
        {
            WriteError(error!);
            return true;
        }
        using (source)
        {
            var progress = NewProgress(file);
            var unsupportedBefore = extractor.Statistics.Ignored(Engine.Decoding.IgnoreReason.UnsupportedLinkType);
            bool more = MeterSource(extractor, source, progress);
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            ReportUnsupportedLinkType(extractor, source, file, unsupportedBefore);
            return more;
        }
    }
}
