using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;
using NFStream.Engine.Plugins;
using NFStream.Engine.Plugins.Onnx;
using NFStream.Engine.Samples;

namespace NFStream.Tests.Plugins;

/// <summary>ONNX models as compiled plugins, on models written from code whose scores are known exactly.</summary>
public sealed class OnnxPluginTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "nfstream-onnx-" + Guid.NewGuid().ToString("n"));
    private readonly string sample;

    public OnnxPluginTests()
    {
        Directory.CreateDirectory(dir);
        sample = Path.Combine(dir, "sample.pcap");
        SampleCapture.Write(sample);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Model(string name) => Path.Combine(dir, name);

    private List<NFlow> Meter(FlowOptions options, params IFlowPlugin[] plugins)
    {
        using var extractor = new FlowExtractor(options, classifier: null, plugins: plugins);
        using var source = CaptureFile.Open(sample);
        var flows = new List<NFlow>();
        while (extractor.Pump(source, 4096))
            while (extractor.TryTakeFlow(out var f)) flows.Add(f);
        while (extractor.TryTakeFlow(out var f)) flows.Add(f);
        extractor.Finish();
        while (extractor.TryTakeFlow(out var f)) flows.Add(f);
        return flows;
    }

    private static readonly FlowOptions Plain = new() { NDissections = 0 };

    [Fact]
    public void ALinearModelScoresEveryFlowExactly()
    {
        OnnxModelWriter.WriteLinear(Model("linear.onnx"), new[] { 2f, 0.5f }, 1f);
        var plugin = new OnnxModelPlugin("score", Model("linear.onnx"), new[] { "bidirectional_packets", "bidirectional_bytes" });

        var flows = Meter(Plain, plugin);

        Assert.Equal(33, flows.Count);
        Assert.All(flows, f => Assert.Equal(2.0 * f.bidirectional_packets + 0.5 * f.bidirectional_bytes + 1, (double)f.udps["score"]!));
    }

    [Fact]
    public void ADoubleInputAndAnOpenWidthAreFed()
    {
        OnnxModelWriter.WriteLinear(Model("double.onnx"), new[] { 1f, -1f }, 0f, dynamicWidth: true, doubleInput: true);
        var plugin = new OnnxModelPlugin("d", Model("double.onnx"), new[] { "src2dst_packets", "dst2src_packets" });
        Assert.True(plugin.Model.InputIsDouble);
        Assert.Equal(-1, plugin.Model.InputWidth);

        var flows = Meter(Plain, plugin);

        Assert.All(flows, f => Assert.Equal((double)f.src2dst_packets - f.dst2src_packets, (double)f.udps["d"]!));
    }

    [Fact]
    public void AClassifierGivesItsLabelAndOnRequestItsProbabilities()
    {
        // small: 1000 - bytes; large: bytes - 1000 (no softmax: the scores are exact).
        OnnxModelWriter.WriteLinearClassifier(Model("cls.onnx"), new[] { "small", "large" },
            new[] { new[] { -1f }, new[] { 1f } }, new[] { 1000f, -1000f });
        var plugin = new OnnxModelPlugin("size", Model("cls.onnx"), new[] { "bidirectional_bytes" }, probability: true);
        Assert.Equal("label", plugin.ValueOutput);
        Assert.Equal("probabilities", plugin.ProbabilityOutput);

        var flows = Meter(Plain, plugin);

        Assert.Contains(flows, f => (string)f.udps["size"]! == "small");
        Assert.Contains(flows, f => (string)f.udps["size"]! == "large");
        Assert.All(flows, f =>
        {
            double bytes = f.bidirectional_bytes;
            Assert.Equal(bytes > 1000 ? "large" : "small", f.udps["size"]);
            Assert.Equal(new[] { 1000 - bytes, bytes - 1000 }, (double[])f.udps["size_probability"]!);
        });
    }

    [Fact]
    public void SpltSeriesExpandToTheirValuesPaddedWithMinusOne()
    {
        // 1 scalar + splt_ps of 3 packets: weights 1, 10, 100, 1000.
        OnnxModelWriter.WriteLinear(Model("splt.onnx"), new[] { 1f, 10f, 100f, 1000f }, 0f);
        var plugin = new OnnxModelPlugin("s", Model("splt.onnx"), new[] { "protocol", "splt_ps" });
        Assert.Null(plugin.CheckOptions(Plain with { SpltAnalysis = 3 }));
        Assert.Contains("-SpltAnalysis 3", plugin.CheckOptions(Plain with { SpltAnalysis = 4 }));
        Assert.Contains("-SpltAnalysis 3", plugin.CheckOptions(Plain));

        var flows = Meter(Plain with { SpltAnalysis = 3 }, plugin);

        Assert.Contains(flows, f => f.bidirectional_packets < 3);   // some padding is exercised
        Assert.All(flows, f =>
        {
            var ps = f.splt_ps;
            Assert.Equal(f.protocol + 10.0 * ps[0] + 100.0 * ps[1] + 1000.0 * ps[2], (double)f.udps["s"]!);
        });
    }

    [Fact]
    public void AfterPacketsScoresOnceWhenTheFlowReachesThatManyPackets()
    {
        OnnxModelWriter.WriteLinear(Model("early.onnx"), new[] { 1f, 1000f }, 0f);
        var plugin = new OnnxModelPlugin("early", Model("early.onnx"), new[] { "bidirectional_packets", "bidirectional_bytes" },
            OnnxScoreTime.AfterPackets, afterPackets: 3);

        var flows = Meter(Plain, plugin);

        Assert.Contains(flows, f => f.bidirectional_packets > 3);
        foreach (var f in flows)
        {
            if (f.bidirectional_packets < 3) Assert.False(f.HasUserValues);
            else
            {
                // Scored at the third packet: 3 packets, and fewer bytes than the whole flow when it went on.
                double score = (double)f.udps["early"]!;
                Assert.Equal(3, score % 1000);
                Assert.True(score / 1000 <= f.bidirectional_bytes);
                if (f.bidirectional_packets == 3) Assert.Equal(3 + 1000.0 * f.bidirectional_bytes, score);
            }
        }
    }

    [Fact]
    public void BadModelsAreRefusedWhenThePluginIsMade()
    {
        OnnxModelWriter.WriteLinear(Model("three.onnx"), new[] { 1f, 1f, 1f }, 0f);
        var e = Assert.Throws<OnnxModelException>(() => new OnnxModelPlugin("x", Model("three.onnx"), new[] { "bidirectional_packets" }));
        Assert.Contains("takes 3 values per flow", e.Message);
        Assert.Contains("give 1", e.Message);

        Assert.Contains("does not exist", Assert.Throws<OnnxModelException>(() => new OnnxModelPlugin("x", Model("none.onnx"), new[] { "protocol" })).Message);

        File.WriteAllBytes(Model("corrupt.onnx"), new byte[] { 0x0a, 0xff, 0x13, 0x37, 1, 2, 3 });
        var corrupt = Assert.Throws<OnnxModelException>(() => new OnnxModelPlugin("x", Model("corrupt.onnx"), new[] { "protocol" }));
        Assert.Contains("not a valid ONNX model", corrupt.Message);
        Assert.Contains("corrupt.onnx", corrupt.Message);

        OnnxModelWriter.WriteLinear(Model("one.onnx"), new[] { 1f }, 0f);
        Assert.Contains("is not a flow column", Assert.Throws<ArgumentException>(() => new OnnxModelPlugin("x", Model("one.onnx"), new[] { "bidirectional_packetz" })).Message);
        Assert.Contains("is text", Assert.Throws<ArgumentException>(() => new OnnxModelPlugin("x", Model("one.onnx"), new[] { "src_ip" })).Message);
        Assert.Contains("no output 'nope'", Assert.Throws<OnnxModelException>(() => new OnnxModelPlugin("x", Model("one.onnx"), new[] { "protocol" }, output: "nope")).Message);
        Assert.Contains("-Probability needs", Assert.Throws<OnnxModelException>(() => new OnnxModelPlugin("x", Model("one.onnx"), new[] { "protocol" }, probability: true)).Message);
    }

    [Fact]
    public void FeaturesThatNeedOptionsAreRefusedBeforeAnyPacket()
    {
        OnnxModelWriter.WriteLinear(Model("stat.onnx"), new[] { 1f }, 0f);
        var plugin = new OnnxModelPlugin("x", Model("stat.onnx"), new[] { "bidirectional_mean_ps" });
        var e = Assert.Throws<ArgumentException>(() => new FlowExtractor(Plain, classifier: null, plugins: new IFlowPlugin[] { plugin }));
        Assert.Contains("-StatisticalAnalysis", e.Message);
    }

    [Fact]
    public void AModelThatFailsAtRunTimeStopsTheRunAndEveryFlowHandedOutHasItsScore()
    {
        // table[packets]: flows of more than 3 packets index past the table.
        OnnxModelWriter.WriteLookup(Model("lookup.onnx"), new[] { 0f, 10f, 20f, 30f });
        var plugin = new OnnxModelPlugin("v", Model("lookup.onnx"), new[] { "bidirectional_packets" });
        using var extractor = new FlowExtractor(Plain, classifier: null, plugins: new IFlowPlugin[] { plugin });
        using var source = CaptureFile.Open(sample);
        var flows = new List<NFlow>();
        var e = Assert.Throws<FlowPluginException>(() =>
        {
            while (extractor.Pump(source, 4096))
                while (extractor.TryTakeFlow(out var f)) flows.Add(f);
            extractor.Finish();
        });
        while (extractor.TryTakeFlow(out var f)) flows.Add(f);

        Assert.Equal("v", e.Plugin);
        Assert.Equal("OnExpire", e.Callback);
        Assert.Contains("lookup.onnx", e.InnerException!.Message);
        Assert.NotEmpty(e.Unfinished);
        Assert.True(e.Flow!.bidirectional_packets > 3);           // the failing flow, found within its batch
        Assert.NotEmpty(flows);                                   // the flows before it in the batch were scored and handed out
        Assert.All(flows, f => Assert.Equal(10.0 * f.bidirectional_packets, (double)f.udps["v"]!));
        Assert.DoesNotContain(flows, f => e.Unfinished.Contains(f));
    }

    [Fact]
    public void OneModelIsSharedAndScoresFromSeveralThreadsAtOnce()
    {
        OnnxModelWriter.WriteLinear(Model("shared.onnx"), new[] { 3f }, 0.25f);
        var plugin = new OnnxModelPlugin("t", Model("shared.onnx"), new[] { "bidirectional_packets" });
        Assert.Same(plugin.Model, new OnnxModelPlugin("u", Model("shared.onnx"), new[] { "src2dst_packets" }).Model);

        var runs = Enumerable.Range(0, 4).Select(_ => Task.Run(() => Meter(Plain, plugin))).ToArray();
        Task.WaitAll(runs);

        foreach (var run in runs)
        {
            Assert.Equal(33, run.Result.Count);
            Assert.All(run.Result, f => Assert.Equal(3.0 * f.bidirectional_packets + 0.25, (double)f.udps["t"]!));
        }
    }

    [Fact]
    public void FlowsThatExpireTogetherAreScoredInOneRun()
    {
        OnnxModelWriter.WriteLinear(Model("batch.onnx"), new[] { 1f }, 0f);
        var counting = new CountingPlugin();
        var plugin = new OnnxModelPlugin("b", Model("batch.onnx"), new[] { "bidirectional_packets" });
        // A plugin listed after the model sees its value in OnExpire: the model scores at once, not in a batch.
        var flows = Meter(Plain, plugin, counting);
        Assert.Equal(33, counting.SawScore);
        // Listed last, the model batches: the end-of-input flush expires many flows, scored together.
        flows = Meter(Plain, new CountingPlugin(), plugin);
        Assert.All(flows, f => Assert.Equal((double)f.bidirectional_packets, (double)f.udps["b"]!));
    }

    private sealed class CountingPlugin : FlowPlugin
    {
        public int SawScore;
        public override void OnExpire(NFlow flow)
        {
            if (flow.HasUserValues && flow.udps.Contains("b")) SawScore++;
        }
    }
}
