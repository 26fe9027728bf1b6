using NFStream.Engine;
using NFStream.Engine.Flows;
using NFStream.Engine.Samples;
using NFStream.Tests.Dpi;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Reliability;

/// <summary>
/// -MaxActiveFlows: with many short, concurrent flows the meter never holds more than the cap; the oldest flow
/// (creation order) is emitted at once with expiration_id 2, before the end of the input, and counted in the
/// statistics and the -Verbose summary.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class FlowCapTests
{
    private readonly PowerShellSession ps;

    public FlowCapTests(PowerShellFixture fixture) => ps = fixture.Session;

    [Fact]
    public void EvictedFlowsLeaveDuringTheRunWithExpirationIdTwoAndAreCounted()
    {
        const int Cap = 16;
        var source = new ManyFlowsSource(flows: 3000, concurrent: 100);
        using var extractor = new FlowExtractor(new FlowOptions { NDissections = 0, MaxActiveFlows = Cap, IdleTimeoutSeconds = 3600 });
        var duringRun = new List<NFlow>();
        while (extractor.Pump(source, 500))
        {
            Assert.InRange(extractor.ActiveFlows, 0, Cap);
            while (extractor.TryTakeFlow(out var flow)) duringRun.Add(flow);
            // Every flow out so far was evicted, and every eviction so far was counted and handed out.
            Assert.All(duringRun, f => Assert.Equal(FlowMeter.EvictedExpirationId, f.expiration_id));
            Assert.Equal(duringRun.Count, extractor.Statistics.FlowsEvicted);
        }
        Assert.NotEmpty(duringRun);
        Assert.Equal(0, duringRun[0].id);
        Assert.Equal(1024, duringRun[0].src_port);             // flow 0, the oldest, goes first
        Assert.True(duringRun.Count >= 3000 - Cap, $"{duringRun.Count} flows evicted");

        extractor.Finish();
        var flushed = new List<NFlow>();
        while (extractor.TryTakeFlow(out var flow)) flushed.Add(flow);
        Assert.InRange(flushed.Count, 1, Cap);
        Assert.All(flushed, f => Assert.Equal(0, f.expiration_id));

        var all = duringRun.Concat(flushed).ToList();
        Assert.Equal(Enumerable.Range(0, all.Count).Select(i => (long)i), all.Select(f => f.id));
        var s = extractor.Statistics;
        Assert.Equal(source.TotalPackets, s.PacketsMetered);
        Assert.Equal(s.PacketsMetered, all.Sum(f => (long)f.bidirectional_packets));
        Assert.Equal(all.Count, s.FlowsEmitted);
        Assert.Contains($"{duringRun.Count} evicted", s.ToString());
    }

    [Fact]
    public void WithoutTheCapTheSameInputHoldsEveryFlowUntilTheEnd()
    {
        // The control for the test above: the bound is what keeps the cache small.
        var source = new ManyFlowsSource(flows: 3000, concurrent: 100);
        using var extractor = new FlowExtractor(new FlowOptions { NDissections = 0, IdleTimeoutSeconds = 3600 });
        while (extractor.Pump(source, 500)) Assert.False(extractor.TryTakeFlow(out _));
        Assert.Equal(3000, extractor.ActiveFlows);
        Assert.Equal(0, extractor.Statistics.FlowsEvicted);
    }

    [NdpiFact]
    public void GetNFFlowEmitsEvictedFlowsCompleteWithTheirApplicationAndCountsThem()
    {
        // Groups of 8 concurrent flows and a cap of 8: each new group evicts the previous one, complete.
        string path = Path.Combine(RepositoryPaths.NewScratchDirectory(), "many.pcap");
        var source = new ManyFlowsSource(flows: 200, concurrent: 8);
        using (var writer = PcapWriter.Create(path, 1))
            while (source.TryRead(out var packet)) writer.WritePacket((long)packet.TimeMs * 1_000_000, packet.Data);

        var result = ps.Run("""
            $flows = Get-NFFlow -LiteralPath $path -MaxActiveFlows 8 -IdleTimeout 3600 -StatisticsVariable stats -Verbose
            $flows; $stats
            """, new Dictionary<string, object?> { ["path"] = path }).AssertSuccess();

        dynamic stats = result.Output[^1].BaseObject;
        var flows = result.Output.Take(result.Output.Count - 1).Select(o => (NFlow)o.BaseObject).ToList();
        Assert.Equal(200, flows.Count);
        var evicted = flows.Where(f => f.expiration_id == 2).ToList();
        Assert.Equal(192, evicted.Count);
        Assert.Equal(192L, (long)stats.FlowsEvicted);
        Assert.Equal(Enumerable.Range(0, 192).Select(i => (long)i), evicted.Select(f => f.id));   // emitted first
        Assert.All(flows, f => Assert.Equal((ulong)ManyFlowsSource.PacketsPerFlow, f.bidirectional_packets));
        Assert.All(evicted.Where(f => f.dst_port == 443), f =>
        {
            Assert.StartsWith("TLS", f.application_name);
            Assert.Equal("many.example.com", f.requested_server_name);
        });
        Assert.All(evicted.Where(f => f.dst_port == 53), f => Assert.Equal("DNS", f.application_name));
        Assert.Contains(result.Verbose, v => v.Contains("192 evicted early by -MaxActiveFlows"));
    }

    [Fact]
    public void AboutNFStreamDocumentsTheCapAndItsExpirationId()
    {
        string text = string.Join("\n", ps.Run("Get-Help about_NFStream").AssertSuccess().Output.Select(o => o.ToString()));
        Assert.Contains("BOUNDED MEMORY", text);
        Assert.Contains("2   evicted early because -MaxActiveFlows", text);
        Assert.Contains("evicted early by -MaxActiveFlows", text);   // what the -Verbose summary says
        Assert.Contains("FlowsEvicted", text);
    }
}
