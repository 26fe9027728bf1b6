using System.Diagnostics;
using System.Management.Automation;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Dpi;
using NFStream.Engine.Flows;
using NFStream.Engine.Plugins;
using NFStream.Hosting;
using NFStream.Plugins;

namespace NFStream.Commands;

/// <summary>
/// The flow options that every flow-producing cmdlet shares (NFStreamer's parameters), their validation, and
/// the loop that pumps packets through an engine extractor and streams its flows onto the pipeline.
/// The parameters' help, the only copy, is en-US/cmdlets/_FlowParameters.md.
/// </summary>
public abstract class FlowCommandBase : PSCmdlet, IDisposable
{
    protected const int PacketsPerBatch = 4096;
    private const long MaxTimeoutSeconds = 18446744073709551; // NFStream: seconds * 1000 must fit in uint64
    private readonly CancellationTokenSource stopping = new();
    // SIGTERM/SIGHUP end the run like Ctrl+C and wait for it to end (TerminationSignals); held until Dispose.
    private readonly IDisposable signalLease = TerminationSignals.Enter();
    // nDPI modules shared by the captures of this call, reset between captures (made on first need).
    private NdpiModulePool? modulePool;
    private CancellationTokenSource? cancellation;
    private long flowsWritten;
    /// <summary>How often a long read reports progress (PowerShell drops progress written much more often).</summary>
    private const int ProgressIntervalMs = 250;
    private readonly Stopwatch progressClock = Stopwatch.StartNew();

    [Parameter]
    [ValidateRange(0, MaxTimeoutSeconds)]
    public long IdleTimeout { get; set; } = (long)FlowOptions.DefaultIdleTimeoutSeconds;

    [Parameter]
    [ValidateRange(0, MaxTimeoutSeconds)]
    public long ActiveTimeout { get; set; } = (long)FlowOptions.DefaultActiveTimeoutSeconds;

    [Parameter]
    public AccountingMode AccountingMode { get; set; } = AccountingMode.LinkLayer;

    [Parameter]
    public bool DecodeTunnels { get; set; } = true;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BpfFilter { get; set; }

    [Parameter]
    public SwitchParameter StatisticalAnalysis { get; set; }

    [Parameter]
    [ValidateRange(0, 65535)]
    public int SpltAnalysis { get; set; }

    [Parameter]
    [ValidateRange(0, 255)]
    public int NDissections { get; set; } = 20;

    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long MaxFlows { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxActiveFlows { get; set; } = FlowOptions.DefaultMaxActiveFlows;

    [Parameter]
    [PluginTransformation]
    [ValidateNotNull]
    public IFlowPlugin[]? Plugin { get; set; }

    private bool pluginsCleanedUp;

    [Parameter]
    [ValidateRange(0, 64)]
    public int Meters { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StatisticsVariable { get; set; }

    private readonly List<CaptureStatistics> statistics = new();

    /// <summary>
    /// Cancelled when the pipeline stops, and (unless <see cref="InputEndsOnSignal"/> is false) on SIGTERM/SIGHUP.
    /// </summary>
    protected CancellationToken Cancellation => (cancellation ??= InputEndsOnSignal
        ? CancellationTokenSource.CreateLinkedTokenSource(stopping.Token, TerminationSignals.Token) : stopping).Token;

    /// <summary>
    /// True when SIGTERM/SIGHUP simply stop reading input (files); a live capture says false and ends its capture
    /// itself, so that its open flows are flushed as with Ctrl+C.
    /// </summary>
    protected virtual bool InputEndsOnSignal => true;

    /// <summary>True once -MaxFlows flows were written by this call (across all its files).</summary>
    protected bool MaxFlowsReached => MaxFlows > 0 && flowsWritten >= MaxFlows;

    /// <summary>True when a reader thread could not be stopped (blocked reading a stalled pipe); its extractor must not be disposed.</summary>
    protected bool ReaderAbandoned { get; private set; }

    protected FlowOptions BuildOptions()
    {
        if (SpltAnalysis > 255)
            WriteWarning("The specified SpltAnalysis value is higher than 255. High values can impact performance.");
        return new FlowOptions
        {
            IdleTimeoutSeconds = (ulong)IdleTimeout,
            ActiveTimeoutSeconds = (ulong)ActiveTimeout,
            AccountingMode = AccountingMode,
            DecodeTunnels = DecodeTunnels,
            StatisticalAnalysis = StatisticalAnalysis,
            SpltAnalysis = SpltAnalysis,
            NDissections = NDissections,
            MaxActiveFlows = MaxActiveFlows,
            Meters = Meters,
        };
    }

    /// <summary>
    /// The options of one run with its meter count chosen (<see cref="MeterPlan"/>): from -Meters, the cores, the
    /// input's length (-1 when unknown) and how many captures this call meters at once. Says why in -Verbose when
    /// the run uses fewer meters than asked for.
    /// </summary>
    protected FlowOptions PlanMeters(FlowOptions options, long inputBytes, int parallelSources = 1)
    {
        if (Plugin is { Length: > 0 }) return options with { Meters = 1 };
        int meters = MeterPlan.Choose(Meters, Environment.ProcessorCount, inputBytes, parallelSources, out string? reason);
        if (reason is not null && Meters != 0) WriteVerbose($"Metering with {meters} meter{(meters == 1 ? "" : "s")} instead of {Meters}: {reason}.");
        else if (reason is not null) WriteVerbose($"Metering with one meter: {reason}.");
        else if (meters > 1) WriteVerbose($"Metering with {meters} meters.");
        options = options with { Meters = meters };
        bool dpiThread = MeterPlan.ClassifyOnOwnThread(options, Environment.ProcessorCount, inputBytes, parallelSources,
            hasPlugins: false);
        if (dpiThread) WriteVerbose("Classifying with nDPI on a thread of its own, beside the meter's.");
        return options with { DpiOnOwnThread = dpiThread };
    }

    /// <summary>Creates an extractor for one capture; null (after a terminating error) when it can't be built.</summary>
    /// <param name="filterPackets">False when the source applies -BpfFilter itself (a live capture filters in the kernel).</param>
    /// <param name="moreCapturesFollow">More captures of this call are metered after this one, each in its own
    /// run: their nDPI modules are made once and reset between captures (<see cref="NdpiModulePool"/>).</param>
    protected FlowExtractor CreateExtractor(FlowOptions options, bool filterPackets = true, bool moreCapturesFollow = false)
    {
        Engine.Capture.BpfFilter? filter = null;
        if (BpfFilter is not null && filterPackets)
        {
            try
            {
                filter = new Engine.Capture.BpfFilter(BpfFilter);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                ThrowTerminatingError(Errors.BadFilter(BpfFilter, e));
            }
        }
        foreach (var plugin in Plugin ?? Array.Empty<IFlowPlugin>())
        {
            if (plugin is IFlowPluginRequirements needs && needs.CheckOptions(options) is { } problem)
                ThrowTerminatingError(Errors.PluginOptionsInvalid(plugin.Name, problem));
        }
        if (Plugin is { Length: > 0 } && Meters != 1)
            WriteVerbose("Plugins run on the pipeline thread: metering with one meter.");
        try
        {
            // -MaxFlows counts across every file of the call: each extractor gets what is left.
            long maxFlows = MaxFlows > 0 ? Math.Max(1, MaxFlows - flowsWritten) : 0;
            if (options.UsesDpi && options.Meters == 1 && Plugin is not { Length: > 0 } &&
                (moreCapturesFollow || modulePool is not null))
            {
                var pool = modulePool ??= new NdpiModulePool(options.NDissections);
                return new FlowExtractor(options, pool.Create, filter, Plugin, maxFlows);
            }
            return FlowExtractor.Create(options, filter, Plugin, maxFlows);
        }
        catch (Engine.Dpi.DpiUnavailableException e)
        {
            filter?.Dispose();
            ThrowTerminatingError(Errors.DpiUnavailable(e));
            throw;
        }
    }

    /// <summary>
    /// Meters every packet of <paramref name="source"/>, writing flows as they expire. A corrupt source gives an
    /// ErrorRecord naming the file and offset; what was read before it stays metered. Returns false when the
    /// run is over (stopped, or -MaxFlows reached).
    /// </summary>
    protected bool MeterSource(FlowExtractor extractor, IPacketSource source, ProgressRecord? progress)
    {
        if (Plugin is not { Length: > 0 }) return MeterSourceOnReaderThread(extractor, source, progress);
        try
        {
            while (true)
            {
                if (Cancellation.IsCancellationRequested) return false;
                bool more = extractor.Pump(source, PacketsPerBatch);
                WriteFlows(extractor);
                if (extractor.Completed) return false;
                if (progress is not null) ReportProgress(progress, source);
                if (!more) return true;
            }
        }
        catch (CaptureFileException e)
        {
            WriteFlows(extractor);
            WriteError(Errors.CaptureUnreadable(e));
            return !extractor.Completed;
        }
        catch (PluginFailedException e)
        {
            StopOnPluginFailure(extractor, e);
            return false;
        }
        catch (FlowPluginException e)
        {
            StopOnPluginFailure(extractor, new PluginFailedException(e));
            return false;
        }
    }

    /// <summary>
    /// <see cref="MeterSource"/> without plugins: the engine's metering loop reads and meters the packets on a
    /// thread of its own while this (the pipeline) thread writes the flows, so emitting objects overlaps with
    /// metering instead of adding to it.
    /// </summary>
    private bool MeterSourceOnReaderThread(FlowExtractor extractor, IPacketSource source, ProgressRecord? progress)
    {
        var loop = new ExtractionThread(extractor, source, PacketsPerBatch);
        using var abandon = new AbandonCheck(this, loop);
        return WriteLoopFlows(loop, progress);
    }

    /// <summary>
    /// Writes the flows of a running metering loop until it is done. With a progress record, or with
    /// <paramref name="onWait"/> (called at least every <paramref name="waitMs"/> ms, also when no flow comes),
    /// this thread looks up regularly. A corrupt source gives an ErrorRecord after the flows before it.
    /// Returns false when the run is over (stopped, or -MaxFlows reached).
    /// </summary>
    protected bool WriteLoopFlows(ExtractionThread loop, ProgressRecord? progress, Action? onWait = null, int waitMs = ProgressIntervalMs)
    {
        var extractor = loop.Extractor;
        // Without a progress bar, wait for flows; with one, look up every 250 ms even when none come (a capture
        // whose flows all outlive it gives its flows only at the end).
        var wait = progress is null && onWait is null ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(waitMs);
        try
        {
            ExtractionStep step;
            while ((step = loop.TakeChunk(out var flows, wait, Cancellation)) != ExtractionStep.Done)
            {
                if (step == ExtractionStep.Flow) WriteFlowChunk(flows);
                if (progress is not null) ReportProgress(progress, loop.Source);
                onWait?.Invoke();
            }
            return !extractor.Completed && !Cancellation.IsCancellationRequested;
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
            return false;
        }
        catch (CaptureFileException e)
        {
            WriteError(Errors.CaptureUnreadable(e));
            return !extractor.Completed;
        }
    }

    /// <summary>A plugin threw: the flows that expired before it are still written, then the run stops.</summary>
    protected void StopOnPluginFailure(FlowExtractor extractor, PluginFailedException e)
    {
        WriteFlows(extractor);
        CleanupPlugins();
        ThrowTerminatingError(Errors.PluginFailed(e));
    }

    /// <summary>
    /// Calls every plugin's OnCleanup once, on the pipeline thread: at the end of the run, or (from Dispose)
    /// after Ctrl+C or an error. A failing cleanup is reported when the pipeline can still take errors.
    /// </summary>
    protected void CleanupPlugins(bool canReport = true)
    {
        if (pluginsCleanedUp || Plugin is null) return;
        pluginsCleanedUp = true;
        foreach (var plugin in Plugin)
        {
            try
            {
                plugin.OnCleanup();
            }
            catch (PluginFailedException e) when (canReport)
            {
                WriteError(Errors.PluginFailed(e));
            }
            catch (Exception) when (!canReport)
            {
                // The pipeline is gone (stopped or failed): nothing can take the error any more.
            }
        }
    }

    public void Dispose()
    {
        ReleaseRuns();
        modulePool?.Dispose();
        CleanupPlugins(canReport: false);
        if (cancellation is not null && cancellation != stopping) cancellation.Dispose();
        stopping.Dispose();
        signalLease.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops and releases the runs a command still holds (after Ctrl+C or an error).</summary>
    protected virtual void ReleaseRuns()
    {
    }

    /// <summary>End of a capture: flushes the cache and writes the remaining flows, then the verbose summary.</summary>
    /// <param name="flushed">True when the metering loop already flushed the cache and its flows were written.</param>
    protected void FinishCapture(FlowExtractor extractor, string name, bool flushed = false)
    {
        if (!flushed && !extractor.Completed && !Cancellation.IsCancellationRequested)
        {
            try
            {
                extractor.Finish();
            }
            catch (PluginFailedException e)
            {
                StopOnPluginFailure(extractor, e);
            }
            catch (FlowPluginException e)
            {
                StopOnPluginFailure(extractor, new PluginFailedException(e));
            }
            WriteFlows(extractor);
        }
        extractor.Statistics.Source = name;
        WriteVerbose(extractor.Statistics.ToString());
        if (StatisticsVariable is not null)
        {
            statistics.Add(extractor.Statistics);
            SessionState.PSVariable.Set(StatisticsVariable, statistics.Count == 1 ? statistics[0] : statistics.ToArray());
        }
    }

    /// <summary>Advances a live run's clock; a plugin that fails on the flows it expires stops the run.</summary>
    protected void AdvanceClock(FlowExtractor extractor, ulong timeMs)
    {
        try
        {
            extractor.AdvanceClock(timeMs);
        }
        catch (PluginFailedException e)
        {
            StopOnPluginFailure(extractor, e);
        }
        catch (FlowPluginException e)
        {
            StopOnPluginFailure(extractor, new PluginFailedException(e));
        }
    }

    protected void WriteFlows(FlowExtractor extractor)
    {
        while (extractor.TryTakeFlow(out var flow)) WriteFlow(flow);
    }

    private void WriteFlow(NFlow flow)
    {
        flowsWritten++;
        WriteObject(flow);
    }

    /// <summary>
    /// Writes a chunk of flows in one call: PowerShell enumerates it onto the pipeline, flow by flow in order, as
    /// if each had been written alone, for a fraction of the per-object cost.
    /// </summary>
    private void WriteFlowChunk(ArraySegment<NFlow> flows)
    {
        flowsWritten += flows.Count;
        if (flows.Count == 1) WriteObject(flows[0]);
        else WriteObject(flows, enumerateCollection: true);
    }

    /// <summary>Disposes a reader thread; one blocked on a stalled pipe is left behind (with its extractor).</summary>
    private readonly struct AbandonCheck : IDisposable
    {
        private readonly FlowCommandBase command;
        private readonly ExtractionThread reader;

        public AbandonCheck(FlowCommandBase command, ExtractionThread reader)
        {
            this.command = command;
            this.reader = reader;
        }

        public void Dispose()
        {
            reader.Dispose();
            if (reader.Abandoned) command.ReaderAbandoned = true;
        }
    }

    private void ReportProgress(ProgressRecord progress, IPacketSource source)
    {
        if (progressClock.ElapsedMilliseconds < ProgressIntervalMs) return;
        progressClock.Restart();
        long position = source.Position, length = source.Length;
        // A record of its own each time: whoever keeps the records (a job, a test) sees each as it was written.
        // A source of unknown length (a pipe) reports what it has read so far, without a percentage.
        WriteProgress(new ProgressRecord(progress.ActivityId, progress.Activity, length > 0
            ? $"{source.Name}: {position / (1024 * 1024)} of {length / (1024 * 1024)} MiB"
            : $"{source.Name}: {position / (1024 * 1024)} MiB read")
        {
            CurrentOperation = progress.CurrentOperation,
            PercentComplete = length > 0 ? (int)Math.Clamp(100 * position / length, 0, 100) : -1,
        });
    }

    protected override void StopProcessing() => stopping.Cancel();
}
