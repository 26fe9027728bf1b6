using System.Net;
using System.Net.Sockets;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;

namespace NFStream.Tests.Live;

/// <summary>The engine's live source without PowerShell: stop and flush, accounting, queue drops, allocation.</summary>
[Collection(LiveCollection.Name)]
public sealed class LiveCaptureTests
{
    private static readonly FlowOptions Options = new() { NDissections = 0 };

    /// <summary>Meters everything the capture delivers until it completes, the way Start-NFCapture does.</summary>
    private static List<NFlow> Drain(FlowExtractor extractor, LiveCapture capture, TimeSpan timeout)
    {
        var flows = new List<NFlow>();
        var deadline = DateTime.UtcNow + timeout;
        while (!capture.Completed)
        {
            Assert.True(DateTime.UtcNow < deadline, "the capture did not complete in time");
            while (extractor.Pump(capture, 4096)) { }
            while (extractor.TryTakeFlow(out var flow)) flows.Add(flow);
            capture.WaitForPackets(50, CancellationToken.None);
        }
        extractor.Finish();
        while (extractor.TryTakeFlow(out var flow)) flows.Add(flow);
        return flows;
    }

    [LiveFact]
    public void StopMidCaptureFlushesTheOpenFlowWithEveryPacketCaptured()
    {
        using var net = new TestNetwork();
        using var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = net.Interface, Filter = "udp" });
        using var extractor = new FlowExtractor(Options with { IdleTimeoutSeconds = 3600 });
        capture.Start();
        net.Exchange(41001, 51001, 30);
        Thread.Sleep(300);   // let the kernel hand over the last packets: Stop keeps what was captured
        capture.Stop();
        var flows = Drain(extractor, capture, TimeSpan.FromSeconds(10));

        var flow = Assert.Single(flows);
        Assert.Equal(30UL, flow.S2dPackets);
        Assert.Equal(30UL, flow.D2sPackets);
        Assert.Equal(0, flow.expiration_id);
        Assert.Equal(60, capture.Counters.PacketsReceived);
        Assert.Equal(60, extractor.Statistics.PacketsRead);
        Assert.Null(capture.Error);
    }

    [LiveFact]
    public void AFullQueueDropsAndCountsAndEveryReceivedPacketIsReadOrDropped()
    {
        using var net = new TestNetwork();
        using var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = net.Interface, Filter = "udp", QueueSlots = 64 });
        Assert.Equal(64, capture.QueueCapacity);
        using var extractor = new FlowExtractor(Options);
        capture.Start();
        // Nobody reads while 1000 packets arrive: the queue keeps 64 of them.
        using (var sender = net.HostSocket(41002))
        {
            var payload = new byte[16];
            for (int i = 0; i < 1000; i++) sender.SendTo(payload, new IPEndPoint(net.PeerAddress, 51002));
        }
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (capture.Counters is var c && c.PacketsReceived + c.DroppedByKernel < 1000 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        capture.Stop();
        var flows = Drain(extractor, capture, TimeSpan.FromSeconds(10));

        var counters = capture.Counters;
        Assert.Equal(1000, counters.PacketsReceived + counters.DroppedByKernel);   // on a busy machine the kernel may drop some too
        Assert.Equal(64, extractor.Statistics.PacketsRead);
        Assert.Equal(counters.PacketsReceived - 64, counters.DroppedByQueue);
        Assert.Equal(counters.PacketsReceived, extractor.Statistics.PacketsRead + counters.DroppedByQueue);
        Assert.Equal(64UL, Assert.Single(flows).BiPackets);
    }

    [LiveFact]
    public void NeitherTheCaptureThreadNorTheReaderAllocatesPerPacket()
    {
        using var net = new TestNetwork();
        using var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = net.Interface, Filter = "udp" });
        capture.Start();
        const int packets = 20_000;
        var sender = new Thread(() =>
        {
            using var socket = net.HostSocket(41003);
            var payload = new byte[64];
            var to = new IPEndPoint(net.PeerAddress, 51003);
            for (int i = 0; i < packets; i++) socket.SendTo(payload, to);
        });
        sender.Start();
        long read = 0, allocated = 0;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (read < packets && DateTime.UtcNow < deadline)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            while (capture.TryRead(out var packet)) read += packet.Data.Length > 0 ? 1 : 0;
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            capture.WaitForPackets(50, CancellationToken.None);
        }
        sender.Join();
        capture.Stop();
        while (!capture.Completed) { while (capture.TryRead(out _)) read++; capture.WaitForPackets(50, CancellationToken.None); }

        var counters = capture.Counters;
        Assert.Equal(packets, counters.PacketsReceived + counters.DroppedByKernel);
        Assert.True(counters.PacketsReceived > packets / 2, $"only {counters.PacketsReceived} packets were captured");
        Assert.Equal(counters.PacketsReceived - counters.DroppedByQueue, read);
        Assert.Equal(0, allocated);
        // A few kernel-statistics objects a second, never one per packet (20,000 packets would be ≥ 480 kB).
        Assert.InRange(capture.CaptureThreadAllocatedBytes, 0, 16 * 1024);
    }

    [Fact]
    public void UnknownInterfaceIsReportedAsSuch()
    {
        var e = Assert.Throws<LiveCaptureException>(() => LiveCapture.Open(new LiveCaptureOptions { Interface = "nfs-no-such0" }));
        Assert.Equal(LiveCaptureFailure.InterfaceNotFound, e.Failure);
        Assert.Equal("nfs-no-such0", e.Interface);
    }

    [LiveFact]
    public void ABadFilterIsReportedBeforeCapturing()
    {
        using var net = new TestNetwork();
        var e = Assert.Throws<LiveCaptureException>(() =>
            LiveCapture.Open(new LiveCaptureOptions { Interface = net.Interface, Filter = "udp port nonsense" }));
        Assert.Equal(LiveCaptureFailure.BadFilter, e.Failure);
    }

    [LiveFact]
    public void DurationStopsASilentCapture()
    {
        using var net = new TestNetwork();
        using var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = net.Interface, Filter = "udp", Duration = TimeSpan.FromSeconds(1) });
        capture.Start();
        var started = DateTime.UtcNow;
        while (!capture.Completed && DateTime.UtcNow - started < TimeSpan.FromSeconds(10))
        {
            capture.TryRead(out _);
            capture.WaitForPackets(50, CancellationToken.None);
        }
        Assert.True(capture.Completed, "a silent capture ignored its duration");
        Assert.InRange((DateTime.UtcNow - started).TotalSeconds, 0.9, 5);
    }
}
