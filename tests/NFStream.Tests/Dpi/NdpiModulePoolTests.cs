using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;
using NFStream.Engine.Dpi;
using NFStream.Tests.Hosting;
using NFStream.Tests.Meters;
using Xunit.Abstractions;

namespace NFStream.Tests.Dpi;

/// <summary>
/// Captures metered one after another share nDPI modules that are reset between captures: each capture gets the
/// labels of a fresh module (of a separate run), on every corpus capture, after another capture or after itself;
/// without the reset it would not (nDPI's caches carry labels from one capture to the next); a module the pool
/// holds is freed with the pool.
/// </summary>
[Collection(NdpiMemoryCollection.Name)]
public sealed class NdpiModulePoolTests
{
    private readonly ITestOutputHelper output;

    public NdpiModulePoolTests(ITestOutputHelper output) => this.output = output;

    [NdpiFact]
    public void EachCaptureGetsTheLabelsOfASeparateRunOnAResetModule()
    {
        string path = RepositoryPaths.NewSampleCapture(rounds: 40);
        var separate = MeterRuns.Rows(path, new FlowOptions());
        Assert.Contains(separate, row => row.Contains("TLS"));

        long bytesBefore = NdpiMemory.LiveBytes;
        using (var pool = new NdpiModulePool(20))
        {
            for (int capture = 0; capture < 4; capture++)
            {
                var classifier = (NdpiClassifier)pool.Create();
                // A module is taken on first use: the first capture's is made, every later one is the first, reset.
                Assert.False(classifier.Initialized);
                Assert.Equal(separate, MeterRuns.Rows(path, new FlowOptions(), classifiers: () => classifier));
                Assert.Equal(capture, pool.ModulesReused);
            }
        }
        Assert.InRange(NdpiMemory.LiveBytes - bytesBefore, -64 * 1024, 64 * 1024);
    }

    [NdpiFact]
    public void AResetModuleHasItsJustMadeFieldsAgain()
    {
        string path = RepositoryPaths.NewSampleCapture(rounds: 10);
        nint module = 0;
        var classifier = new NdpiClassifier(0, 20, giveBack: used => module = used);
        MeterRuns.Rows(path, new FlowOptions(), classifiers: () => classifier);
        Assert.NotEqual(0, module);
        try
        {
            Assert.True(NdpiNative.ContextChangedBytes(module) > 0, "detection changed nothing in the module");
            Assert.True(NdpiNative.ContextReset(module));
            Assert.Equal(0, NdpiNative.ContextChangedBytes(module));
        }
        finally
        {
            NdpiNative.ContextFree(module);
        }
    }

    [NdpiFact]
    public void ModulesThePoolHoldsAreFreedWithIt()
    {
        long bytesBefore = NdpiMemory.LiveBytes;
        var pool = new NdpiModulePool(20);
        var first = pool.Create();
        var second = pool.Create();
        first.Prepare();    // two captures metered at once: two modules
        second.Prepare();
        long oneModule = NdpiMemory.LiveBytes - bytesBefore;
        Assert.True(oneModule > 2 << 20, "two modules are held");
        first.Dispose();
        second.Dispose();
        Assert.True(NdpiMemory.LiveBytes - bytesBefore > 2 << 20, "the pool keeps both");
        pool.Dispose();
        Assert.InRange(NdpiMemory.LiveBytes - bytesBefore, -64 * 1024, 64 * 1024);
        Assert.Throws<ObjectDisposedException>(() => pool.Create());
    }

    /// <summary>
    /// A meter gives its module back at the end of its input, before its flows are written and its extractor is
    /// disposed: a capture that starts then (the next file of a -ThrottleLimit call) takes that module, reset, and
    /// gets the labels of a separate run.
    /// </summary>
    [NdpiFact]
    public void AFinishedCaptureGivesItsModuleToTheNextBeforeItsFlowsAreTaken()
    {
        string first = RepositoryPaths.NewSampleCapture(rounds: 20), second = RepositoryPaths.NewSampleCapture(rounds: 30);
        var separate = MeterRuns.Rows(second, new FlowOptions());
        using var pool = new NdpiModulePool(20);
        using var firstSource = CaptureFile.Open(first);
        using var firstRun = new FlowExtractor(new FlowOptions(), pool.Create);
        while (firstRun.Pump(firstSource, 1000)) { }
        firstRun.Finish();
        Assert.True(firstRun.TryTakeFlow(out _), "the first capture's flows are still waiting");

        Assert.Equal(separate, MeterRuns.Rows(second, new FlowOptions(), classifiers: pool.Create));
        Assert.Equal(1, pool.ModulesReused);
        Assert.True(firstRun.TryTakeFlow(out var flow));
        Assert.NotNull(flow.L7);
    }

    [NdpiCorpusFact]
    public void EveryCorpusCaptureGetsTheLabelsOfAFreshModuleAfterAnotherCaptureAndAfterItself()
    {
        int captures = 0, flows = 0;
        using var pool = new NdpiModulePool(20);
        foreach (string pcap in RepositoryPaths.CorpusCaptures())
        {
            var fresh = MeterRuns.Rows(pcap, new FlowOptions(), batch: 4096);
            var afterPrevious = MeterRuns.Rows(pcap, new FlowOptions(), batch: 4096, classifiers: pool.Create);
            var afterItself = MeterRuns.Rows(pcap, new FlowOptions(), batch: 4096, classifiers: pool.Create);
            Assert.True(fresh.SequenceEqual(afterPrevious), $"{Path.GetFileName(pcap)}: a reset module after the previous capture gave other flows: {MeterRuns.FirstDifference(fresh, afterPrevious)}");
            Assert.True(fresh.SequenceEqual(afterItself), $"{Path.GetFileName(pcap)}: a reset module after the same capture gave other flows: {MeterRuns.FirstDifference(fresh, afterItself)}");
            captures++;
            flows += fresh.Count - 1;
        }
        output.WriteLine($"{captures} captures, {flows} flows: identical on a fresh and on a reset module");
        Assert.True(captures > 100, $"{captures} captures");
        Assert.Equal(2 * captures - 1, pool.ModulesReused);
    }

    /// <summary>The test above would see a missing reset: nDPI's caches do carry labels from one capture to the next.</summary>
    [NdpiCorpusFact]
    public void WithoutTheResetAModuleUsedBeforeGivesOtherLabels()
    {
        var changed = new List<string>();
        foreach (string pcap in RepositoryPaths.CorpusCaptures())
        {
            nint module = 0;
            var first = new NdpiClassifier(0, 20, giveBack: used => module = used);
            var fresh = MeterRuns.Rows(pcap, new FlowOptions(), batch: 4096, classifiers: () => first);
            if (module == 0) continue;
            var again = new NdpiClassifier(module, 20);     // the same module, not reset; freed when disposed
            var reused = MeterRuns.Rows(pcap, new FlowOptions(), batch: 4096, classifiers: () => again);
            if (!fresh.SequenceEqual(reused)) changed.Add(Path.GetFileName(pcap));
        }
        output.WriteLine($"labels changed by a used module on: {string.Join(", ", changed)}");
        Assert.NotEmpty(changed);
    }
}
