using System.Diagnostics;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;
using NFStream.Engine.Plugins;
using NFStream.Engine.Plugins.Onnx;
using NFStream.Engine.Samples;

// Usage: OnnxBench [--rounds N] [--repeat N]
int rounds = 1000, repeat = 5;
for (int i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--rounds") rounds = int.Parse(args[i + 1]);
    if (args[i] == "--repeat") repeat = int.Parse(args[i + 1]);
}
string dir = Path.Combine(Path.GetTempPath(), "nfstream-onnx-bench-" + Guid.NewGuid().ToString("n"));
Directory.CreateDirectory(dir);
try
{
    string capture = Path.Combine(dir, "bench.pcap"), model = Path.Combine(dir, "linear.onnx"), splt = Path.Combine(dir, "splt.onnx");
    long packets = SampleCapture.Write(capture, SampleCaptureFormat.Pcap, 1, rounds);
    OnnxModelWriter.WriteLinear(model, new[] { 1f, 2f, 3f, 4f }, 0.5f);
    OnnxModelWriter.WriteLinear(splt, Enumerable.Repeat(1f, 8).ToArray(), 0f);
    string[] features = { "bidirectional_packets", "bidirectional_bytes", "src2dst_packets", "dst2src_bytes" };
    var options = new FlowOptions { NDissections = 0, SpltAnalysis = 8 };

    var cases = new (string Name, Func<IFlowPlugin[]> Plugins)[]
    {
        ("no plugin", () => Array.Empty<IFlowPlugin>()),
        ("ONNX at expiry, batched (4 features)", () => new IFlowPlugin[] { new OnnxModelPlugin("s", model, features) }),
        ("ONNX at expiry, one flow per run", () => new IFlowPlugin[] { new OnnxModelPlugin("s", model, features), new Empty() }),
        ("ONNX after 8 packets (splt_ps, 8 values)", () => new IFlowPlugin[] { new OnnxModelPlugin("e", splt, new[] { "splt_ps" }, OnnxScoreTime.AfterPackets, 8) }),
    };
    long flows = 0;
    var times = cases.Select(_ => new List<double>()).ToArray();
    for (int r = 0; r < repeat + 1; r++)
        for (int c = 0; c < cases.Length; c++)
        {
            var plugins = cases[c].Plugins();
            var clock = Stopwatch.StartNew();
            long n = Run(capture, options, plugins);
            clock.Stop();
            if (r > 0) times[c].Add(clock.Elapsed.TotalSeconds);   // round 0 warms up
            flows = n;
        }
    Console.WriteLine($"NFStream ONNX plugin benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:u}");
    Console.WriteLine($"Capture: SampleCapture, {rounds} rounds, {packets} packets, {flows} flows; meter alone, -NDissections 0 -SpltAnalysis 8");
    Console.WriteLine($"{"case",-44} {"median s",9} {"min s",7} {"+us/flow",9} {"(by min)",9}");
    double baseMedian = Median(times[0]), baseMin = times[0].Min();
    for (int c = 0; c < cases.Length; c++)
    {
        double median = Median(times[c]), min = times[c].Min();
        Console.WriteLine($"{cases[c].Name,-44} {median,9:F3} {min,7:F3} {(c == 0 ? "" : ((median - baseMedian) / flows * 1e6).ToString("F2")),9} {(c == 0 ? "" : ((min - baseMin) / flows * 1e6).ToString("F2")),9}");
    }
}
finally
{
    Directory.Delete(dir, recursive: true);
}

static long Run(string capture, FlowOptions options, IFlowPlugin[] plugins)
{
    using var extractor = new FlowExtractor(options, classifier: null, plugins: plugins);
    using var source = CaptureFile.Open(capture);
    long n = 0;
    while (extractor.Pump(source, 4096))
        while (extractor.TryTakeFlow(out _)) n++;
    extractor.Finish();
    while (extractor.TryTakeFlow(out _)) n++;
    return n;
}

static double Median(List<double> values)
{
    var sorted = values.OrderBy(v => v).ToArray();
    return sorted[sorted.Length / 2];
}

sealed class Empty : FlowPlugin { }
