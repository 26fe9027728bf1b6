using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;
using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Engine;

/// <summary>
/// Many short, concurrent flows with a small -MaxActiveFlows: the cache never holds more than the cap, the
/// evicted flows are emitted with expiration_id 2 and counted, and the managed heap plateaus instead of growing
/// with the number of flows (NFStream's cache grows without bound: its issues 24 and 60).
/// </summary>
[Collection(BoundedMemoryCollection.Name)]
public sealed class BoundedMemoryTests
{
    [Fact]
    public void ManyFlowsUnderACapKeepMemoryFlat()
    {
        const int cap = 1_000;
        string path = Path.Combine(RepositoryPaths.NewScratchDirectory(), "many-flows.pcap");
        var factory = new PacketFactory();
        var server = new SampleEndpoint(2, "10.200.0.1", 443);
        const int flows = 60_000;
        using (var writer = PcapWriter.Create(path, 1))
        {
            Span<byte> payload = stackalloc byte[16];
            for (int i = 0; i < flows; i++)
            {
                // Every flow is a new 5-tuple, one packet each way, all within a second: none expires by idleness.
                var client = new SampleEndpoint(1, $"10.{100 + i / 65_000}.{i / 250 % 260 % 256}.{i % 250 + 1}", (ushort)(1024 + i % 60_000));
                long t = SampleCapture.StartNanoseconds + i * 4_000L;
                writer.WritePacket(t, factory.Udp(client, server, payload));
                writer.WritePacket(t + 1_000, factory.Udp(server, client, payload));
            }
        }

        var heap = new List<long>();
        long emitted = 0, evicted = 0;
        using var extractor = new FlowExtractor(new FlowOptions { NDissections = 0, MaxActiveFlows = cap, StatisticalAnalysis = true });
        using (var source = CaptureFile.Open(path))
        {
            long nextSample = 10_000;
            while (extractor.Pump(source, 4096))
            {
                while (extractor.TryTakeFlow(out var flow))
                {
                    emitted++;
                    if (flow.expiration_id == FlowMeter.EvictedExpirationId) evicted++;
                }
                Assert.True(extractor.ActiveFlows <= cap, $"{extractor.ActiveFlows} flows cached with a cap of {cap}");
                if (extractor.Statistics.PacketsRead >= nextSample)
                {
                    heap.Add(HeapAfterCollection());
                    nextSample += 10_000;
                }
            }
        }
        extractor.Finish();
        while (extractor.TryTakeFlow(out _)) emitted++;

        Assert.True(emitted >= flows - 10, $"{emitted} flows emitted");
        Assert.True(evicted > flows / 2, $"only {evicted} flows evicted");
        Assert.Equal(evicted, extractor.Statistics.FlowsEvicted);
        Assert.True(heap.Count >= 4, "too few samples");
        // The heap at the end of the run is no larger than early on (plus slack for the GC's own noise).
        long early = heap[1], late = heap.Skip(heap.Count / 2).Max();
        Assert.True(late < early + 24L * 1024 * 1024, $"heap grew from {early / 1024} KiB to {late / 1024} KiB");
    }

    private static long HeapAfterCollection()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BoundedMemoryCollection
{
    public const string Name = "Bounded memory (alone: measures the process heap)";
}
