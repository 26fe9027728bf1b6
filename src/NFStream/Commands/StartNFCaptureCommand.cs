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
        if (Cancellation.IsCancellationRequested) return;
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
            if (capture.Error is { } error) WriteError(Errors.LiveCaptureFailed(error));
        }
    }

    protected override void EndProcessing() => CleanupPlugins();

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
                extractor.AdvanceClock(now);
                WriteFlows(extractor);
                if (extractor.Completed) return;
            }
            Housekeeping();
            capture.WaitForPackets(TickMs, Cancellation);
        }
    }
}
