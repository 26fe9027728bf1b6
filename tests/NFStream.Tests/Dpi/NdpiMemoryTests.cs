using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Dpi;
using NFStream.Engine.Flows;
using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Dpi;

/// <summary>
/// nDPI's per-flow state is freed when a flow leaves the engine: over a capture of thousands of flows the
/// shim's live-flow count never exceeds the flows held, and returns to where it was at the end.
/// </summary>
[Collection(NdpiMemoryCollection.Name)]
public sealed class NdpiMemoryTests
{
    [NdpiFact]
    public void NdpiFlowStateIsFreedAsFlowsLeaveTheEngine()
    {
        string path = Path.Combine(RepositoryPaths.NewScratchDirectory(), "many.pcap");
        SampleCapture.Write(path, rounds: 1500);                  // about 13,500 flows
        long baseline = NdpiNative.LiveFlows;
        long peak = 0, flows = 0;
        using (var extractor = new FlowExtractor(new FlowOptions { NDissections = 20, IdleTimeoutSeconds = 30 },
                   FlowClassifierFactory.Create(20)))
        using (var source = CaptureFile.Open(path))
        {
            while (extractor.Pump(source, 512))
            {
                while (extractor.TryTakeFlow(out _)) flows++;
                long live = NdpiNative.LiveFlows - baseline;
                peak = Math.Max(peak, live);
                Assert.True(live <= extractor.ActiveFlows, $"{live} nDPI flows alive for {extractor.ActiveFlows} cached flows");
            }
            Assert.True(flows > 5_000, $"only {flows} flows left before the end of the capture");
            extractor.Finish();
            while (extractor.TryTakeFlow(out _)) flows++;
            Assert.Equal(baseline, NdpiNative.LiveFlows);
        }
        Assert.True(flows > 10_000, $"only {flows} flows");
        // NFStream's idle scan stops at the oldest flow that is still active (here the DHCP flow that every round
        // refreshes), so flows wait for it: the peak is bounded by the cache, not by the idle timeout alone.
        Assert.InRange(peak, 1, 5_000);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NdpiMemoryCollection
{
    public const string Name = "nDPI memory (alone: counts are per process)";
}
