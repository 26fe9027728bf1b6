using System.Diagnostics;
using System.Management.Automation;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;
using NFStream.Hosting;
using NFStream.Plugins;

namespace NFStream.Commands;

/// <summary>
/// <para type="synopsis">Captures from a live network interface and emits its flows as they expire.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "NFCapture")]
[OutputType(typeof(NFlow))]
public sealed class StartNFCaptureCommand : FlowCommandBase
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    /// <summary>The interface to capture on (see Get-NFInterface).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Interface { get; set; } = "";

    /// <summary>Capture every frame on the link, not only those for this host (default on).</summary>
    [Parameter]
    public bool Promiscuous { get; set; } = true;

    /// <summary>Bytes kept of each packet (NFStream snapshot_length).</summary>
    [Parameter]
    [ValidateRange(64, 262144)]
    public int SnapshotLength { get; set; } = 1536;

    /// <summary>Kernel capture buffer in bytes; libpcap's default when omitted.</summary>
    [Parameter]
    [ValidateRange(65536, int.MaxValue)]
    public int BufferSize { get; set; }

    /// <summary>Stop after this long.</summary>
    [Parameter]
    public TimeSpan Duration { get; set; }

    /// <summary>Stop after this many packets.</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long PacketCount { get; set; }

    /// <summary>Print the capture counters every N seconds (NFStream performance_report).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int PerformanceReport { get; set; }

    protected override void ProcessRecord()
    {
        var options = BuildOptions();
        using var extractor = CreateExtractor(options);
        LiveCaptureSource source;
        try
        {
            source = LiveCaptureSource.Start(new LiveCaptureOptions(Interface)
            {
                Promiscuous = Promiscuous,
                SnapshotLength = SnapshotLength,
                BufferSize = BufferSize > 0 ? BufferSize : null,
                Filter = BpfFilter,
            });
        }
        catch (LiveCaptureException e)
        {
            WriteError(Errors.LiveCaptureFailed(e));
            return;
        }
        using (source)
        {
            WriteVerbose($"Capturing on {Interface} (link type {LinkTypes.Describe(source.LinkType)}).");
            Capture(extractor, source);
            source.Stop();
            Drain(extractor, source);
            FinishCapture(extractor, Interface, Counters(source));
        }
    }

    protected override void EndProcessing() => CleanupPlugins();

    private void Capture(FlowExtractor extractor, LiveCaptureSource source)
    {
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        try
        {
            while (!Cancellation.IsCancellationRequested)
            {
                int batch = NextBatch(extractor);
                if (batch == 0) return;
                long before = extractor.Statistics.PacketsRead;
                extractor.Pump(source, batch);
                WriteFlows(extractor);
                if (extractor.Completed) return;
                if (Duration > TimeSpan.Zero && clock.Elapsed >= Duration) return;
                if (PerformanceReport > 0 && clock.Elapsed - lastReport >= TimeSpan.FromSeconds(PerformanceReport))
                {
                    lastReport = clock.Elapsed;
                    Host.UI.WriteLine($"[{Interface}] {Counters(source)}, {extractor.Statistics.FlowsEmitted} flows, {extractor.ActiveFlows} active");
                }
                if (extractor.Statistics.PacketsRead == before)
                {
                    // A quiet link: wait a little, then let idle flows expire on the wall clock.
                    source.WaitForPackets(Tick, Cancellation);
                    extractor.AdvanceClock((ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                    WriteFlows(extractor);
                }
            }
        }
        catch (LiveCaptureException e)
        {
            WriteError(Errors.LiveCaptureFailed(e));
        }
        catch (PluginFailedException e)
        {
            StopOnPluginFailure(extractor, e);
        }
    }

    /// <summary>Meters what the capture thread queued before it stopped (within -PacketCount).</summary>
    private void Drain(FlowExtractor extractor, LiveCaptureSource source)
    {
        try
        {
            while (!Cancellation.IsCancellationRequested && !extractor.Completed)
            {
                int batch = NextBatch(extractor);
                if (batch == 0) return;
                long before = extractor.Statistics.PacketsRead;
                extractor.Pump(source, batch);
                WriteFlows(extractor);
                if (extractor.Statistics.PacketsRead == before) return;
            }
        }
        catch (PluginFailedException e)
        {
            StopOnPluginFailure(extractor, e);
        }
    }

    /// <summary>Packets to meter next: a batch, or what is left of -PacketCount (0 when it is reached).</summary>
    private int NextBatch(FlowExtractor extractor) =>
        PacketCount > 0 ? (int)Math.Clamp(PacketCount - extractor.Statistics.PacketsRead, 0, 4096) : 4096;

    private static string Counters(LiveCaptureSource source)
    {
        var (received, kernelDropped, interfaceDropped) = source.KernelStatistics;
        return $"packets received {received}, dropped by the kernel {kernelDropped}, dropped by the interface {interfaceDropped}, dropped by our queue {source.QueueDropped}";
    }
}
