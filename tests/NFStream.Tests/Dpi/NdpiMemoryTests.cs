using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Dpi;
using NFStream.Engine.Flows;
using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;
using NFStream.Tests.Reliability;
using Xunit.Abstractions;

namespace NFStream.Tests.Dpi;

/// <summary>
/// nDPI's per-flow state is freed when a flow leaves the engine: over a capture of thousands of flows the
/// shim's live-flow count never exceeds the flows held, and returns to where it was at the end. The bytes nDPI
/// holds through its allocator (the shim counts them) come back too, when the input ends and when a run is cut
/// short (-MaxFlows, Ctrl+C), and do not grow with the number of flows.
/// </summary>
[Collection(NdpiMemoryCollection.Name)]
public sealed class NdpiMemoryTests
{
    private readonly ITestOutputHelper output;

    public NdpiMemoryTests(ITestOutputHelper output) => this.output = output;

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

    [NdpiFact]
    public void NdpiStateLivesExactlyAsLongAsItsFlowAndNothingGrowsOverALongInput()
    {
        Settle();
        long flowsBefore = NdpiMemory.LiveFlows, bytesBefore = NdpiMemory.LiveBytes;
        long bytesAfterShortRun = RunAndCheck(flows: 2_000);
        long bytesAfterLongRun = RunAndCheck(flows: 40_000);
        output.WriteLine($"nDPI bytes held: {bytesBefore} before, {bytesAfterShortRun} after 2,000 flows, " +
                         $"{bytesAfterLongRun} after 40,000 more");

        Assert.Equal(flowsBefore, NdpiMemory.LiveFlows);
        Assert.True(bytesAfterShortRun - bytesBefore <= 64 * 1024, $"a run left {bytesAfterShortRun - bytesBefore} bytes behind");
        Assert.True(bytesAfterLongRun - bytesAfterShortRun <= 64 * 1024,
            $"20 times more flows left {bytesAfterLongRun - bytesAfterShortRun} more bytes behind");
    }

    /// <summary>
    /// Meters generated flows with a 1 s idle timeout (flows leave by the idle scan during the run) and checks at
    /// every batch that nDPI holds at most one flow state per flow in the meter. Returns nDPI's bytes afterwards.
    /// </summary>
    private long RunAndCheck(int flows)
    {
        long flowsBefore = NdpiMemory.LiveFlows, bytesBefore = NdpiMemory.LiveBytes;
        var source = new ManyFlowsSource(flows, concurrent: 300);
        long peakHeld = 0, peakBytes = 0;
        using (var extractor = new FlowExtractor(new FlowOptions { NDissections = 20, IdleTimeoutSeconds = 1 },
                   FlowClassifierFactory.Create(20)))
        {
            while (extractor.Pump(source, 2048))
            {
                while (extractor.TryTakeFlow(out _)) { }
                Assert.InRange(NdpiMemory.LiveFlows, flowsBefore, flowsBefore + extractor.ActiveFlows);
                peakHeld = Math.Max(peakHeld, extractor.ActiveFlows);
                peakBytes = Math.Max(peakBytes, NdpiMemory.LiveBytes);
            }
            extractor.Finish();
            while (extractor.TryTakeFlow(out _)) { }
            Assert.Equal(flowsBefore, NdpiMemory.LiveFlows);
            Assert.True(peakHeld < flows / 2 || flows < 10_000, $"the idle scan let {peakHeld} of {flows} flows pile up");
        }
        output.WriteLine($"{flows} flows: at most {peakHeld} held, nDPI peak {peakBytes / 1024} KiB");
        // Disposing the extractor gave back the module and every flow at once, without waiting for the GC.
        long bytesAfter = NdpiMemory.LiveBytes;
        Assert.True(bytesAfter - bytesBefore <= 64 * 1024, $"the run left {bytesAfter - bytesBefore} bytes behind");
        return bytesAfter;
    }

    [NdpiFact]
    public void AFlowWhoseDetectionIsOverHoldsNoNdpiStateWhileItStaysInTheCache()
    {
        Settle();
        long flowsBefore = NdpiMemory.LiveFlows;
        var source = new ManyFlowsSource(flows: 3_000, concurrent: 3_000);   // every flow open until the end
        using var extractor = new FlowExtractor(new FlowOptions { NDissections = 2, IdleTimeoutSeconds = 3600 },
            FlowClassifierFactory.Create(2));
        long heldMidway = -1;
        while (extractor.Pump(source, 1_000))
        {
            while (extractor.TryTakeFlow(out _)) { }
            // After 3,000 packets every flow has had its first packet and none its second: all are being dissected.
            if (source.PacketsRead == 3_000) heldMidway = NdpiMemory.LiveFlows - flowsBefore;
        }
        // Every flow has passed its second packet (n_dissections = 2): detection is over and nDPI's state is gone,
        // though all 3,000 flows are still in the cache, waiting for their expiry.
        Assert.Equal(3_000, extractor.ActiveFlows);
        Assert.Equal(3_000, heldMidway);
        Assert.Equal(flowsBefore, NdpiMemory.LiveFlows);

        extractor.Finish();
        var labels = new List<string>();
        while (extractor.TryTakeFlow(out var flow)) labels.Add(flow.L7!.ApplicationName);
        Assert.Equal(3_000, labels.Count);
        // The results collected when detection ended are the ones the flows leave with.
        Assert.Equal(2_000, labels.Count(label => label.Contains("TLS")));
        Assert.Equal(1_000, labels.Count(label => label.Contains("DNS")));
    }

    [NdpiFact]
    public void ARunCutShortReleasesTheNdpiStateOfTheFlowsItStillHeld()
    {
        Settle();
        long flowsBefore = NdpiMemory.LiveFlows;
        var source = new ManyFlowsSource(flows: 5_000, concurrent: 1_000);
        using (var extractor = new FlowExtractor(new FlowOptions { NDissections = 20, MaxActiveFlows = 500 },
                   FlowClassifierFactory.Create(20), maxFlows: 10))
        {
            while (extractor.Pump(source, 256))
                while (extractor.TryTakeFlow(out _)) { }
            Assert.True(extractor.Completed);
            Assert.Equal(500, extractor.ActiveFlows);
            Assert.Equal(flowsBefore + 500, NdpiMemory.LiveFlows);
        }
        Assert.Equal(flowsBefore, NdpiMemory.LiveFlows);   // disposing the extractor freed them
    }

    /// <summary>Classifiers dropped by earlier tests free their modules in finalizers: let that happen first.</summary>
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NdpiMemoryCollection
{
    public const string Name = "nDPI memory (alone: counts are per process)";
}
