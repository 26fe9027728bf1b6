using System.Diagnostics;
using System.Management.Automation;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;
using NFStream.Completion;
using NFStream.Hosting;

namespace NFStream.Commands;

/// <summary>The Start-NFCapture cmdlet. Its help, the only copy, is en-US/cmdlets/Start-NFCapture.md.</summary>
[Cmdlet(VerbsLifecycle.Start, "NFCapture")]
[OutputType(typeof(NFlow))]
public sealed class StartNFCaptureCommand : FlowCommandBase
{
    private const int TickMs = 100;
    private FlowOptions? options;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    public string Interface { get; set; } = "";

    [Parameter]
    public bool Promiscuous { get; set; } = true;

    [Parameter]
    [ValidateRange(1, 262144)]
    public int SnapshotLength { get; set; } = LiveCaptureOptions.DefaultSnapshotLength;

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int BufferSize { get; set; }

    [Parameter]
    [SecondsToTimeSpanTransformation]
    public TimeSpan Duration { get; set; }

    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long PacketCount { get; set; }

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int PerformanceReport { get; set; }

    protected override void BeginProcessing()
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Duration)) && Duration <= TimeSpan.Zero)
            ThrowTerminatingError(Errors.DurationNotPositive(Duration));
        options = BuildOptions();
    }

    protected override void ProcessRecord()
    {
        if (Cancellation.IsCancellationRequested || MaxFlowsReached || TerminationSignals.Requested) return;
        using var extractor = CreateExtractor(PlanMeters(options!, inputBytes: -1), filterPackets: false);
        LiveCapture capture;
        try
        {
            capture = LiveCapture.Open(new LiveCaptureOptions
            {
                Interface = Interface,
                Promiscuous = Promiscuous,
                SnapshotLength = SnapshotLength,
                BufferSize = BufferSize,
                Filter = BpfFilter,
                Duration = Duration > TimeSpan.Zero ? Duration : null,
                PacketCount = PacketCount,
            });
        }
        catch (LiveCaptureException e)
        {
            WriteError(Errors.LiveCaptureFailed(e));
            return;
        }
        using (capture)
        {
            capture.Start();
            WriteVerbose($"Capturing on {capture.Name} (link type {LinkTypes.Describe(capture.LinkType)}, snapshot length " +
                $"{SnapshotLength}, {(Promiscuous ? "promiscuous" : "not promiscuous")}{(BpfFilter is null ? "" : $", filter '{BpfFilter}'")}" +
                $"{(Duration > TimeSpan.Zero ? $", for {Duration}" : "")}{(PacketCount > 0 ? $", {PacketCount} packets" : "")}).");
            Capture(extractor, capture);
            capture.Stop();
            extractor.Statistics.Live = capture.Counters;
            FinishCapture(extractor, capture.Name);
            WarnOfLossTotals(capture, extractor);
            if (capture.Error is { } error) WriteError(Errors.LiveCaptureFailed(error));
        }
    }

    protected override void EndProcessing() => CleanupPlugins();

    /// <summary>SIGTERM/SIGHUP stop the capture like Ctrl+C at the console (see <see cref="Capture"/>), so its open flows are flushed.</summary>
    protected override bool InputEndsOnSignal => false;

    private bool lossWarned, snapWarned;

    /// <summary>
    /// Warns once per run when packets are lost: dropped by the kernel, the interface or the queue to this thread
    /// (a slow plugin or pipeline), or cut by -SnapshotLength below their headers so that none can be metered.
    /// </summary>
    private void WarnOfLoss(LiveCapture capture, FlowExtractor extractor)
    {
        if (!lossWarned && capture.Counters is { PacketsDropped: > 0 } counters)
        {
            lossWarned = true;
            WriteWarning($"The capture on {capture.Name} is dropping packets ({counters}); the flows miss them. " +
                "Raise -BufferSize, lighten the plugins or the pipeline, or narrow -BpfFilter. The totals follow at the end.");
        }
        var stats = extractor.Statistics;
        if (!snapWarned && stats.PacketsRead >= 8 && stats.PacketsMetered == 0 && stats.Ignored(Engine.Decoding.IgnoreReason.Truncated) == stats.PacketsRead)
        {
            snapWarned = true;
            WriteWarning($"-SnapshotLength {SnapshotLength} cuts every packet on {capture.Name} below its headers: none of " +
                $"the {stats.PacketsRead} packets so far could be metered. Use a larger -SnapshotLength (the default is {LiveCaptureOptions.DefaultSnapshotLength}).");
        }
    }

    /// <summary>At the end of a run that lost packets: the totals.</summary>
    private void WarnOfLossTotals(LiveCapture capture, FlowExtractor extractor)
    {
        var counters = capture.Counters;
        var stats = extractor.Statistics;
        if (counters.PacketsDropped > 0)
            WriteWarning($"Capture on {capture.Name} ended having lost {counters.PacketsDropped} of {counters.PacketsReceived + counters.DroppedByKernel + counters.DroppedByInterface} packets ({counters}).");
        long truncated = stats.Ignored(Engine.Decoding.IgnoreReason.Truncated);
        if (snapWarned || stats.PacketsRead > 0 && stats.PacketsMetered == 0 && truncated == stats.PacketsRead)
            WriteWarning($"Capture on {capture.Name} ended: {truncated} of {stats.PacketsRead} packets were too short to meter (-SnapshotLength {SnapshotLength}).");
    }

    /// <summary>
    /// Meters the capture until it completes (duration, packet count, Ctrl+C at the console, an error), -MaxFlows
    /// is reached, or the pipeline stops. Without plugins the engine's metering loop runs the whole capture on one
    /// thread (waiting for packets, advancing the clock on a quiet link) while this thread writes the flows, watches
    /// for Ctrl+C and writes the performance reports; with plugins (which run on this thread) the packets go
    /// through MeterSource here, with the wall-clock tick in between.
    /// </summary>
    private void Capture(FlowExtractor extractor, LiveCapture capture)
    {
        using var interrupt = ConsoleInterrupt.TryCapture(Host);
        var sinceReport = Stopwatch.StartNew();
        void Housekeeping()
        {
            if (interrupt?.Pressed == true && !capture.Stopped)
            {
                WriteVerbose("Ctrl+C: stopping the capture and flushing its flows.");
                capture.Stop();
            }
            if (TerminationSignals.Requested && !capture.Stopped)
            {
                WriteVerbose($"{TerminationSignals.Signal}: stopping the capture and flushing its flows.");
                capture.Stop();
            }
            WarnOfLoss(capture, extractor);
            if (PerformanceReport > 0 && sinceReport.Elapsed.TotalSeconds >= PerformanceReport)
            {
                sinceReport.Restart();
                WriteInformation(LiveCaptureReport.Take(capture, extractor), new[] { "PSHOST", "PerformanceReport" });
            }
        }

        if (Plugin is not { Length: > 0 })
        {
            using var loop = new ExtractionThread(extractor, capture, LiveCapture.BurstLength);
            WriteLoopFlows(loop, progress: null, Housekeeping, TickMs);
            return;
        }
        while (true)
        {
            if (!MeterSource(extractor, capture, progress: null)) return;   // stopped, or -MaxFlows reached
            if (capture.Completed) return;
            if (capture.TryGetQuietClock(out ulong now))
            {
                AdvanceClock(extractor, now);
                WriteFlows(extractor);
                if (extractor.Completed) return;
            }
            Housekeeping();
            capture.WaitForPackets(TickMs, Cancellation);
        }
    }
}
