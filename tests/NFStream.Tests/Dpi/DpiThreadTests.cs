using NFStream.Engine;
using NFStream.Engine.Dpi;
using NFStream.Engine.Flows;
using NFStream.Tests.Hosting;
using NFStream.Tests.Meters;
using NFStream.Tests.Reliability;
using Xunit.Abstractions;

namespace NFStream.Tests.Dpi;

/// <summary>
/// nDPI on a thread of its own (<see cref="FlowOptions.DpiOnOwnThread"/>) gives exactly the flows of an inline
/// run: same ids, order and layer-7 values, on generated captures and on the whole corpus. A classifier that fails
/// on its thread fails the run on the meter's thread (no hang, nothing handed out without its values), and a run
/// cut short frees every nDPI flow state.
/// </summary>
[Collection(NdpiMemoryCollection.Name)]
public sealed class DpiThreadTests
{
    private readonly ITestOutputHelper output;

    public DpiThreadTests(ITestOutputHelper output) => this.output = output;

    [NdpiFact]
    public void ThreadedClassificationGivesTheInlineFlowsOnAGeneratedCapture()
    {
        string path = RepositoryPaths.NewSampleCapture(rounds: 400);
        var inline = MeterRuns.Rows(path, Options(onOwnThread: false), batch: 4096);
        var threaded = MeterRuns.Rows(path, Options(onOwnThread: true), batch: 4096);
        var small = MeterRuns.Rows(path, Options(onOwnThread: true), batch: 7);   // flows taken while nDPI is still behind
        Assert.True(inline.Count - 1 > 3_000, $"{inline.Count - 1} flows");
        Assert.True(inline.Count(r => r.Contains("TLS")) > 100, "the capture has TLS flows to label");
        Assert.Equal(inline, threaded);
        Assert.Equal(inline, small);
    }

    [NdpiFact]
    public void ThreadedClassificationGivesTheInlineFlowsWhenTheRingFillsAndWraps()
    {
        // 60,000 flows open at once, each packet handed to nDPI: far more jobs and bytes than the rings hold.
        var inline = MeterRuns.Rows(new ManyFlowsSource(60_000, concurrent: 60_000), Options(onOwnThread: false));
        var threaded = MeterRuns.Rows(new ManyFlowsSource(60_000, concurrent: 60_000), Options(onOwnThread: true));
        Assert.Equal(60_000, threaded.Count - 1);
        Assert.Equal(inline, threaded);
    }

    [NdpiCorpusFact]
    public void ThreadedClassificationGivesTheInlineFlowsOnEveryCorpusCapture()
    {
        int captures = 0, flows = 0;
        foreach (string pcap in RepositoryPaths.CorpusCaptures())
        {
            var inline = MeterRuns.Rows(pcap, Options(onOwnThread: false), batch: 4096);
            var threaded = MeterRuns.Rows(pcap, Options(onOwnThread: true), batch: 4096);
            Assert.True(inline.SequenceEqual(threaded), $"{Path.GetFileName(pcap)}: threaded nDPI gave other flows");
            captures++;
            flows += inline.Count - 1;
        }
        output.WriteLine($"{captures} captures, {flows} flows: identical with nDPI on its own thread");
        Assert.True(captures > 100, $"{captures} captures");
    }

    [Fact]
    public void AClassifierThatFailsOnItsThreadFailsTheRunOnTheMetersThread()
    {
        var classifier = new FailingClassifier(failAtBegin: 500);
        var source = new ManyFlowsSource(5_000, concurrent: 100);
        var taken = new List<NFlow>();
        var options = new FlowOptions { NDissections = 20, DpiOnOwnThread = true };
        var extractor = new FlowExtractor(options, classifier);
        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            while (extractor.Pump(source, 256))
                while (extractor.TryTakeFlow(out var flow)) taken.Add(flow);
            extractor.Finish();
            while (extractor.TryTakeFlow(out var flow)) taken.Add(flow);
        });
        Assert.Contains("flow 500", error.Message);
        // Flows handed out before the failure carry their values; none left without them.
        Assert.All(taken, f => Assert.Equal("Fake", f.application_name));
        extractor.Dispose();
        Assert.True(classifier.Disposed);
        Assert.Equal(0, classifier.Live);
    }

    [NdpiFact]
    public void ARunCutShortWithThreadedClassificationFreesEveryNdpiFlowState()
    {
        long before = NdpiMemory.LiveFlows;
        var source = new ManyFlowsSource(20_000, concurrent: 5_000);
        using (var extractor = new FlowExtractor(new FlowOptions { NDissections = 20, DpiOnOwnThread = true },
                   FlowClassifierFactory.Create(20)))
        {
            for (int i = 0; i < 10 && extractor.Pump(source, 2048); i++)
                while (extractor.TryTakeFlow(out _)) { }
            Assert.True(extractor.ActiveFlows > 1_000);
        }
        Assert.Equal(before, NdpiMemory.LiveFlows);
    }

    [NdpiFact]
    public void TheClassifierThreadMakesNdpisModuleBeforeTheFirstPacketArrives()
    {
        // Made at the thread's start, the module (tens of milliseconds) overlaps the meter's first reads.
        using var classifier = (NdpiClassifier)FlowClassifierFactory.Create(20);
        Assert.False(classifier.Initialized);
        using (new DpiThread(classifier, 20))
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!classifier.Initialized && waited.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(5);
            Assert.True(classifier.Initialized, "no module was made before any job");
        }
    }

    /// <summary>
    /// A meter starts its classifier thread (and so takes or makes nDPI's module) at its first flow, not when it is
    /// made: the files a -ThrottleLimit call opens ahead of their turn hold no thread and no module while they wait.
    /// </summary>
    [NdpiFact]
    public void AMeterStartsItsClassifierThreadAtItsFirstFlowNotWhenItIsMade()
    {
        string path = RepositoryPaths.NewSampleCapture(rounds: 20);
        using var pool = new NdpiModulePool(20);
        NdpiClassifier? classifier = null;
        using var extractor = new FlowExtractor(Options(onOwnThread: true), () => classifier = (NdpiClassifier)pool.Create());
        Thread.Sleep(200);      // a thread started now would have made the module by then
        Assert.NotNull(classifier);
        Assert.False(classifier.Initialized, "a module was made before the first flow");
        using var source = NFStream.Engine.Capture.CaptureFile.Open(path);
        Assert.True(extractor.Pump(source, 1));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!classifier.Initialized && waited.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(5);
        Assert.True(classifier.Initialized);
    }

    [Fact]
    public void AClassifierThatCannotPrepareFailsTheRunOnTheMetersThread()
    {
        var classifier = new FailingClassifier(failAtBegin: int.MaxValue, failAtPrepare: true);
        var extractor = new FlowExtractor(new FlowOptions { NDissections = 20, DpiOnOwnThread = true }, classifier);
        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            var source = new ManyFlowsSource(5_000, concurrent: 100);
            while (extractor.Pump(source, 256))
                while (extractor.TryTakeFlow(out _)) { }
            extractor.Finish();
        });
        Assert.Contains("could not prepare", error.Message);
        extractor.Dispose();
        Assert.True(classifier.Disposed);
    }

    private static FlowOptions Options(bool onOwnThread) => new() { NDissections = 20, DpiOnOwnThread = onOwnThread };

    /// <summary>Labels every flow "Fake"; throws at its Nth Begin (or in Prepare), on whichever thread calls it.</summary>
    private sealed class FailingClassifier : IFlowClassifier
    {
        private readonly int failAtBegin;
        private readonly bool failAtPrepare;
        private int begun;

        public FailingClassifier(int failAtBegin, bool failAtPrepare = false)
        {
            this.failAtBegin = failAtBegin;
            this.failAtPrepare = failAtPrepare;
        }

        public void Prepare()
        {
            if (failAtPrepare) throw new InvalidOperationException("classifier could not prepare");
        }

        public int Live { get; private set; }

        public bool Disposed { get; private set; }

        public void Begin(ref DpiFlowState state, ReadOnlySpan<byte> ipPacket, ulong timeMs)
        {
            if (++begun == failAtBegin) throw new InvalidOperationException($"classifier failed at flow {begun}");
            state.Handle = 1;
            Live++;
        }

        public void Update(ref DpiFlowState state, ReadOnlySpan<byte> ipPacket, ulong timeMs, ulong bidirectionalPackets)
        {
        }

        public L7Result Finish(ref DpiFlowState state)
        {
            Release(ref state);
            return new L7Result { ApplicationName = "Fake" };
        }

        public void Release(ref DpiFlowState state)
        {
            if (state.Handle == 0) return;
            state.Handle = 0;
            Live--;
        }

        public void Dispose() => Disposed = true;
    }
}
