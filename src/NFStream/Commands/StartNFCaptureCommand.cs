using System.Diagnostics;
using System.Management.Automation;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;
using NFStream.Hosting;

namespace NFStream.Commands;

/// <summary>
/// <para type="synopsis">Captures packets on a live network interface and emits their bidirectional flows as they expire.</para>
/// <para type="description">
/// Start-NFCapture is NFStream's live source. A capture thread takes packets from libpcap into a bounded queue;
/// the flows are metered, and plugins run, on the pipeline thread, which writes each flow as soon as it expires,
/// so 'Start-NFCapture -Interface eth0 | Export-NFFlowCsv flows.csv' streams. Idle flows also expire on a
/// wall-clock tick, so a quiet link still emits them. The capture runs until -Duration, -PacketCount or
/// -MaxFlows is reached, or until Ctrl+C. At the end every cached flow is flushed (expiration_id 0, NFStream's
/// end of input) and written: Ctrl+C typed at a console ends the capture the same way. When the host stops the
/// pipeline by other means (PowerShell.Stop, a closed pipe), the pipeline cannot take the flushed flows.
/// Capturing needs root, or the CAP_NET_RAW and CAP_NET_ADMIN capabilities.
/// </para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "NFCapture")]
[OutputType(typeof(NFlow))]
public sealed class StartNFCaptureCommand : FlowCommandBase
{
    private const int TickMs = 100;
    private FlowOptions? options;

    /// <summary>
    /// The interface to capture on, as Get-NFInterface lists it (for example eth0, lo, or any for all of them).
    /// Binds from the Name property of Get-NFInterface objects.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    public string Interface { get; set; } = "";

    /// <summary>Capture frames addressed to other hosts too (NFStream promiscuous_mode). On by default; -Promiscuous:$false turns it off.</summary>
    [Parameter]
    public bool Promiscuous { get; set; } = true;

    /// <summary>Bytes kept of each frame (NFStream snapshot_length, default 1536). Byte counts use the full wire length.</summary>
    [Parameter]
    [ValidateRange(1, 262144)]
    public int SnapshotLength { get; set; } = LiveCaptureOptions.DefaultSnapshotLength;

    /// <summary>The kernel's capture buffer in bytes (NFStream socket_buffer_size); 0 keeps libpcap's default (2 MiB on Linux).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int BufferSize { get; set; }

    /// <summary>How long to capture: a TimeSpan such as '00:05:00', or a number of seconds. Runs until stopped when absent.</summary>
    [Parameter]
    [SecondsToTimeSpanTransformation]
    public TimeSpan Duration { get; set; }

    /// <summary>Stop after this many packets were captured (after -BpfFilter); 0 means no limit.</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long PacketCount { get; set; }

    /// <summary>
    /// Every this many seconds, write a performance report (NFStream performance_report): packets received,
    /// metered, ignored and dropped, flows emitted and active. Reports go to the host like Write-Host output and
    /// to the information stream with the tag 'PerformanceReport' (LiveCaptureReport objects). 0 disables them.
    /// </summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int PerformanceReport { get; set; }

    protected override void BeginProcessing()
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Duration)) && Duration <= TimeSpan.Zero)
            ThrowTerminatingError(new ErrorRecord(new ArgumentOutOfRangeException(nameof(Duration), Duration,
                "-Duration must be positive: a TimeSpan such as '00:00:30', or a number of seconds."),
                "DurationNotPositive", ErrorCategory.InvalidArgument, Duration));
        options = BuildOptions();
    }

    protected override void ProcessRecord()
    {
        if (Cancellation.IsCancellationRequested) return;
        using var extractor = CreateExtractor(options!, filterPackets: false);
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
    /// is reached, or the pipeline stops: packets through the shared MeterSource loop, then the wall-clock tick.
    /// </summary>
    private void Capture(FlowExtractor extractor, LiveCapture capture)
    {
        using var interrupt = ConsoleInterrupt.TryCapture(Host);
        var sinceReport = Stopwatch.StartNew();
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
            capture.WaitForPackets(TickMs, Cancellation);
        }
    }
}
