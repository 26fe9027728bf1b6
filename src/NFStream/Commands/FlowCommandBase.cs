using System.Diagnostics;
using System.Management.Automation;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;
using NFStream.Engine.Plugins;
using NFStream.Hosting;
using NFStream.Plugins;

namespace NFStream.Commands;

/// <summary>
/// The flow options that every flow-producing cmdlet shares (NFStreamer's parameters), their validation, and
/// the loop that pumps packets through an engine extractor and streams its flows onto the pipeline.
/// </summary>
public abstract class FlowCommandBase : PSCmdlet, IDisposable
{
    private const int PacketsPerBatch = 4096;
    private const long MaxTimeoutSeconds = 18446744073709551; // NFStream: seconds * 1000 must fit in uint64
    private readonly CancellationTokenSource stopping = new();
    /// <summary>How often a long read reports progress (PowerShell drops progress written much more often).</summary>
    private const int ProgressIntervalMs = 250;
    private readonly Stopwatch progressClock = Stopwatch.StartNew();

    /// <summary>Seconds without packets after which a flow expires (NFStream idle_timeout).</summary>
    [Parameter]
    [ValidateRange(0, MaxTimeoutSeconds)]
    public long IdleTimeout { get; set; } = (long)FlowOptions.DefaultIdleTimeoutSeconds;

    /// <summary>Seconds after its first packet at which a flow is cut (NFStream active_timeout).</summary>
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

    /// <summary>Stop after this many flows (NFStream max_nflows); 0 means all.</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long MaxFlows { get; set; }

    /// <summary>Upper bound on flows held at once; reaching it emits the oldest early (expiration_id 2).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxActiveFlows { get; set; } = FlowOptions.DefaultMaxActiveFlows;

    /// <summary>
    /// Plugins run on every flow: New-NFPlugin objects, hashtables (@{ Name = ...; OnUpdate = { ... } }),
    /// compiled IFlowPlugin objects, or a built-in plugin's name ('PayloadEntropy').
    /// </summary>
    [Parameter]
    [PluginTransformation]
    [ValidateNotNull]
    public IFlowPlugin[]? Plugin { get; set; }

    private bool pluginsCleanedUp;

    /// <summary>
    /// Meter threads (NFStream's n_meters); 0 chooses by core count (one per core but one, left to the pipeline).
    /// Flows are sharded over the meters by a direction-agnostic hash; the flows, their values, ids and order
    /// are the same as with one meter. With -Plugin the run always uses one meter.
    /// </summary>
    [Parameter]
    [ValidateRange(0, 64)]
    public int Meters { get; set; } = 1;

    /// <summary>Name of a variable that receives the packet accounting of each capture (CaptureStatistics objects).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StatisticsVariable { get; set; }

    private readonly List<CaptureStatistics> statistics = new();

    protected CancellationToken Cancellation => stopping.Token;

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

    /// <summary>Creates an extractor for one capture; null (after a terminating error) when it can't be built.</summary>
    /// <param name="filterPackets">False when the source applies -BpfFilter itself (a live capture filters in the kernel).</param>
    protected FlowExtractor CreateExtractor(FlowOptions options, bool filterPackets = true)
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
        if (Plugin is { Length: > 0 } && options.ResolveMeters(Environment.ProcessorCount) > 1)
            WriteVerbose("Plugins run on the pipeline thread: metering with one meter.");
        return new FlowExtractor(options, () => DpiLoader.Create(this, options), filter, Plugin, MaxFlows);
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
    /// <see cref="MeterSource"/> without plugins: the packets are read and metered on a reader thread while this
    /// (the pipeline) thread writes the flows, so emitting objects overlaps with metering instead of adding to it.
    /// </summary>
    private bool MeterSourceOnReaderThread(FlowExtractor extractor, IPacketSource source, ProgressRecord? progress)
    {
        using var reader = new ExtractionThread(extractor, source, PacketsPerBatch);
        // Without a progress bar, wait for flows; with one, look up every 250 ms even when none come (a capture
        // whose flows all outlive it gives its flows only at the end).
        var wait = progress is null ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(ProgressIntervalMs);
        try
        {
            ExtractionStep step;
            while ((step = reader.Take(out var flow, wait, Cancellation)) != ExtractionStep.Done)
            {
                if (step == ExtractionStep.Flow) WriteObject(flow);
                if (progress is not null) ReportProgress(progress, source);
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
        CleanupPlugins(canReport: false);
        stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>End of a capture: flushes the cache and writes the remaining flows, then the verbose summary.</summary>
    protected void FinishCapture(FlowExtractor extractor, string name)
    {
        if (!extractor.Completed && !Cancellation.IsCancellationRequested)
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
        while (extractor.TryTakeFlow(out var flow)) WriteObject(flow);
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
