using NFStream.Engine;
using NFStream.Tests.Dpi;
using NFStream.Tests.Hosting;
using Xunit.Abstractions;

namespace NFStream.Tests.Meters;

/// <summary>
/// -Meters N: on generated traffic with many concurrent flows, and on every corpus capture, several meters give
/// the same flows, values, ids and order as one meter.
/// </summary>
public sealed class ShardedMeterTests
{
    private readonly ITestOutputHelper output;

    public ShardedMeterTests(ITestOutputHelper output) => this.output = output;

    public static TheoryData<string, FlowOptions> EngineOptions => new()
    {
        { "defaults, statistics, SPLT", new FlowOptions { NDissections = 0, StatisticalAnalysis = true, SpltAnalysis = 10 } },
        // Short timeouts: idle scans that expire thousands of flows, flows held back behind older active ones,
        // idle and active expiry by packet, re-created keys.
        { "idle 1 s, active 3 s", new FlowOptions { NDissections = 0, IdleTimeoutSeconds = 1, ActiveTimeoutSeconds = 3, StatisticalAnalysis = true } },
        { "idle 5 s, active 10 s, SPLT", new FlowOptions { NDissections = 0, IdleTimeoutSeconds = 5, ActiveTimeoutSeconds = 10, SpltAnalysis = 5 } },
        { "idle 0 (a flow per packet)", new FlowOptions { NDissections = 0, IdleTimeoutSeconds = 0 } },
        { "active 0, accounting by payload", new FlowOptions { NDissections = 0, ActiveTimeoutSeconds = 0, AccountingMode = AccountingMode.Payload } },
    };

    [Theory]
    [MemberData(nameof(EngineOptions))]
    public void GeneratedTrafficGivesTheSameFlowsWithTwoAndThreeMeters(string name, FlowOptions options)
    {
        string capture = MeterRuns.Generated(16 << 20, seed: 7, sessionsPerSecond: 60);
        var one = MeterRuns.Rows(capture, options with { Meters = 1 });
        Assert.True(one.Count > 500, $"{name}: only {one.Count} flows");
        foreach (int meters in new[] { 2, 3 })
        {
            var sharded = MeterRuns.Rows(capture, options with { Meters = meters });
            Assert.True(MeterRuns.FirstDifference(one, sharded) is null,
                $"{name}, {meters} meters: {MeterRuns.FirstDifference(one, sharded)}");
        }
        output.WriteLine($"{name}: {one.Count - 1} flows identical with 1, 2 and 3 meters ");
    }

    [NdpiFact]
    public void GeneratedTrafficGivesTheSameLayer7ResultsWithTwoMeters()
    {
        string capture = MeterRuns.Generated(12 << 20, seed: 7, sessionsPerSecond: 3000);
        var options = new FlowOptions { NDissections = 20 };
        var one = MeterRuns.Rows(capture, options with { Meters = 1 });
        var two = MeterRuns.Rows(capture, options with { Meters = 2 });
        Assert.True(MeterRuns.FirstDifference(one, two) is null, MeterRuns.FirstDifference(one, two));
    }

    /// <summary>A live capture on a quiet link: advancing the clock alone expires idle flows, with two meters as with one.</summary>
    [Fact]
    public void AdvancingTheClockExpiresTheSameIdleFlowsWithTwoMeters()
    {
        string capture = MeterRuns.Generated(16 << 20, seed: 7, sessionsPerSecond: 60);
        List<string> Expired(int meters)
        {
            using var extractor = new NFStream.Engine.Flows.FlowExtractor(new FlowOptions { NDissections = 0, IdleTimeoutSeconds = 5, Meters = meters });
            using (var source = NFStream.Engine.Capture.CaptureFile.Open(capture))
            {
                while (extractor.Pump(source, 4096))
                    while (extractor.TryTakeFlow(out _)) { }
            }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.ElapsedMilliseconds < 200) extractor.TryTakeFlow(out _);   // drain what the capture expired
            Assert.True(extractor.ActiveFlows > 0);
            extractor.AdvanceClock(ulong.MaxValue / 2);
            var emitted = new List<string>();
            clock.Restart();
            while (clock.ElapsedMilliseconds < 1000)
                while (extractor.TryTakeFlow(out var flow)) emitted.Add($"{flow.id} {flow.src_ip} {flow.bidirectional_packets} {flow.expiration_id}");
            return emitted;
        }
        var one = Expired(1);
        var two = Expired(2);
        Assert.NotEmpty(one);
        Assert.True(one.Count <= 1000);   // NFStream's scan expires at most 1000 flows at a time
        Assert.Equal(one, two);
    }

    /// <summary>The reader's hand-off to the meters allocates nothing per packet (batches of reused slabs).</summary>
    [Fact]
    public void HandingPacketsToTheMetersAllocatesNothingPerPacket()
    {
        string capture = MeterRuns.Generated(16 << 20, seed: 7, sessionsPerSecond: 60);
        using var extractor = new NFStream.Engine.Flows.FlowExtractor(new FlowOptions { NDissections = 0, Meters = 2 });
        using var source = NFStream.Engine.Capture.CaptureFile.Open(capture);
        // Warm up: the ring's slabs, the sequencer's tables and the JIT settle on the first packets.
        for (int i = 0; i < 2; i++) extractor.Pump(source, 2048);
        long packetsBefore = extractor.Statistics.PacketsRead, createdBefore = extractor.FlowsCreatedOnCallerThread;
        long before = GC.GetAllocatedBytesForCurrentThread();
        while (extractor.Pump(source, 4096))
            while (extractor.TryTakeFlow(out _)) { }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long packets = extractor.Statistics.PacketsRead - packetsBefore;
        Assert.True(packets > 10_000, $"{packets} packets");
        // Meter 0 runs on the reading thread: the flows it creates are its output, allocated there, not the hand-off.
        long flows = extractor.FlowsCreatedOnCallerThread - createdBefore;
        allocated -= flows * FlowSize();
        output.WriteLine($"{allocated} bytes allocated on the reading thread for {packets} packets, besides {flows} flows of meter 0");
        // Any object per packet would be 24 bytes or more; what remains is the sequencer's tables growing.
        Assert.True(allocated < packets * 4, $"{allocated} bytes for {packets} packets");
    }

    /// <summary>The bytes one flow (without SPLT and DPI) allocates.</summary>
    private static long FlowSize()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var flow = (NFlow)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(typeof(NFlow));
        long size = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(flow);
        return size;
    }

    [Fact]
    public void MeterCountZeroLeavesACoreToTheReader()
    {
        var auto = new FlowOptions { Meters = 0 };
        Assert.Equal(1, auto.ResolveMeters(1));
        Assert.Equal(1, auto.ResolveMeters(2));
        Assert.Equal(7, auto.ResolveMeters(8));
        Assert.Equal(16, auto.ResolveMeters(64));
        Assert.Equal(3, (auto with { Meters = 3 }).ResolveMeters(2));
    }

    /// <summary>
    /// Every corpus capture with nDPI on: the engine columns, ids and order of two meters are exactly one
    /// meter's. The layer-7 columns may differ where nDPI 4.2 labels a flow from what its module learnt from
    /// other flows (its STUN, TINC and similar caches): each meter has its own module, as in NFStream. Those
    /// flows are listed, and must stay rare.
    /// </summary>
    [CorpusFact]
    public void CorpusWithDpiGivesTheSameEngineColumnsWithTwoMeters()
    {
        Assert.True(NFStream.Engine.Dpi.FlowClassifierFactory.IsAvailable(out var reason), reason);
        var options = new FlowOptions { NDissections = 20, StatisticalAnalysis = true, SpltAnalysis = 10 };
        var layer7 = new HashSet<int>();
        int flows = 0, differing = 0;
        foreach (var pcap in RepositoryPaths.CorpusCaptures())
        {
            var one = MeterRuns.Rows(pcap, options with { Meters = 1 });
            var two = MeterRuns.Rows(pcap, options with { Meters = 2 });
            Assert.True(one.Count == two.Count, $"{Path.GetFileName(pcap)}: {one.Count} rows with one meter, {two.Count} with two");
            var header = Conformance.CsvTable.SplitLine(one[0]);
            if (layer7.Count == 0)
                for (int c = 0; c < header.Length; c++)
                    if (Conformance.ReferenceVariant.ApplicationColumns.Contains(header[c])) layer7.Add(c);
            for (int row = 1; row < one.Count; row++)
            {
                flows++;
                if (one[row] == two[row]) continue;
                var a = Conformance.CsvTable.SplitLine(one[row]);
                var b = Conformance.CsvTable.SplitLine(two[row]);
                var engineColumns = Enumerable.Range(0, header.Length).Where(c => !layer7.Contains(c)).ToArray();
                Assert.True(engineColumns.All(c => a[c] == b[c]),
                    $"{Path.GetFileName(pcap)} row {row}: engine columns differ\n  {one[row]}\n  {two[row]}");
                differing++;
                output.WriteLine($"layer 7 differs: {Path.GetFileName(pcap)} flow {row - 1}");
            }
        }
        output.WriteLine($"{flows} flows: engine columns identical; layer-7 columns differ on {differing}");
        Assert.True(differing <= flows / 200, $"{differing} of {flows} flows have other layer-7 values with two meters");
    }
}

/// <summary>How a sharded run spreads the hash space over its meters (meter 0 runs on the reader's thread).</summary>
public sealed class MeterShareTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(64)]
    public void EveryMeterGetsBucketsInProportionToItsShare(int meters)
    {
        double share0 = NFStream.Engine.Flows.ShardedMeters.ShareOfMeter0(meters);
        var map = NFStream.Engine.Flows.ShardedMeters.AssignBuckets(meters, share0);
        Assert.Equal(256, map.Length);
        var counts = Enumerable.Range(0, meters).Select(m => map.Count(b => b == m)).ToArray();
        Assert.All(counts, c => Assert.True(c >= 1));
        Assert.InRange(counts[0], Math.Max(1, (int)Math.Round(share0 * 256) - 1), (int)Math.Round(share0 * 256) + 1);
        Assert.True(counts.Skip(1).Max() - counts.Skip(1).Min() <= 1, string.Join(",", counts));
        // Interleaved: meter 0's buckets are not one block at either end of the range.
        if (counts[0] > 1 && counts[0] < 128) Assert.Contains(map.Take(128), b => b == 0);
        if (counts[0] > 1 && counts[0] < 128) Assert.Contains(map.Skip(128), b => b == 0);
    }

    [Fact]
    public void Meter0OnTheReadersThreadTakesLessThanTheOthers()
    {
        var map = NFStream.Engine.Flows.ShardedMeters.AssignBuckets(2, NFStream.Engine.Flows.ShardedMeters.ShareOfMeter0(2));
        Assert.Equal(32, map.Count(b => b == 0));
        Assert.Equal(224, map.Count(b => b == 1));
    }
}
