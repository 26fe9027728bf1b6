using NFStream.Engine;
using NFStream.Engine.Dpi;
using NFStream.Engine.Flows;
using Xunit.Abstractions;

namespace NFStream.Tests.Reliability;

/// <summary>
/// Bounded memory: 150,000 short flows, 500 open at a time, with an idle timeout longer than the input, so
/// only -MaxActiveFlows (1000) lets flows go before the end. Managed heap and nDPI's native memory are
/// sampled at ten points; after the cache has filled they must stay flat. Without the cap all 150,000 flows
/// (about 1 KB managed and 1.5 KB of nDPI state each) would be held at the end.
/// </summary>
[Collection(NFStream.Tests.Engine.BoundedMemoryCollection.Name)]
public sealed class MemoryPlateauTests
{
    private const int Flows = 150_000, Concurrent = 500, Cap = 1000, Checkpoints = 10;
    private const long ManagedSlack = 16L << 20, NativeSlack = 1L << 20;
    private readonly ITestOutputHelper output;

    public MemoryPlateauTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public void ManagedAndNativeMemoryPlateauUnderTheFlowCap()
    {
        bool underCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        bool dpi = FlowClassifierFactory.IsAvailable(out string? reason);
        Assert.True(dpi || !underCi, "nDPI shim unavailable under CI: " + reason);
        if (!dpi) output.WriteLine($"nDPI shim unavailable ({reason}): measuring managed memory only.");

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var source = new ManyFlowsSource(Flows, Concurrent);
        var options = new FlowOptions { NDissections = dpi ? 20 : 0, MaxActiveFlows = Cap, IdleTimeoutSeconds = 3600 };
        long nativeFlowsBefore = dpi ? NdpiMemory.LiveFlows : 0;
        var managed = new List<long>();
        var native = new List<long>();
        long emitted = 0;
        using (var extractor = new FlowExtractor(options, dpi ? FlowClassifierFactory.Create(20) : null))
        {
            long step = source.TotalPackets / Checkpoints, next = step;
            while (extractor.Pump(source, 1024))
            {
                while (extractor.TryTakeFlow(out _)) emitted++;
                Assert.InRange(extractor.ActiveFlows, 0, Cap);
                if (source.PacketsRead < next) continue;
                next += step;
                managed.Add(SettledHeap());
                if (!dpi) continue;
                native.Add(NdpiMemory.LiveBytes);
                // nDPI state exists only for flows the meter holds: evicted flows freed theirs (and flows whose
                // detection completed freed theirs then).
                Assert.InRange(NdpiMemory.LiveFlows, nativeFlowsBefore, nativeFlowsBefore + extractor.ActiveFlows);
            }
            extractor.Finish();
            while (extractor.TryTakeFlow(out _)) emitted++;
            Assert.Equal(source.TotalPackets, extractor.Statistics.PacketsMetered);
            Assert.True(extractor.Statistics.FlowsEvicted >= Flows - Cap, $"{extractor.Statistics.FlowsEvicted} evicted");
        }
        if (dpi) Assert.Equal(nativeFlowsBefore, NdpiMemory.LiveFlows);

        output.WriteLine($"{Flows} flows, {emitted} emitted, cap {Cap}, {stopwatch.Elapsed.TotalSeconds:0.0} s");
        for (int i = 0; i < managed.Count; i++)
            output.WriteLine($"checkpoint {i + 1}: managed heap {managed[i] / 1024} KiB" +
                             (dpi ? $", nDPI {native[i] / 1024} KiB" : ""));
        Assert.True(managed.Count >= Checkpoints - 1, $"{managed.Count} checkpoints");
        // The first checkpoint already holds a full cache (2000 flows have been created by then).
        Assert.True(managed[^1] - managed[0] < ManagedSlack,
            $"managed heap grew from {managed[0] / 1024} to {managed[^1] / 1024} KiB");
        if (dpi)
            Assert.True(native[^1] - native[0] < NativeSlack, $"nDPI memory grew from {native[0] / 1024} to {native[^1] / 1024} KiB");
    }

    private static long SettledHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
