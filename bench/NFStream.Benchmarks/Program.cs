using System.Globalization;
using BenchmarkDotNet.Running;
using NFStream.Traffic;
using NFStream.Benchmarks.Suite;
using NFStream.Engine;

namespace NFStream.Benchmarks;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0) return Usage();
        var rest = args[1..];
        switch (args[0])
        {
            case "generate": return Generate(rest);
            case "measure": return Measure(rest);
            case "suite": return RunSuite(rest);
            case "flat": return RunFlat(rest);
            case "copies": return Copies(rest);
            case "export": return RunExport(rest);
            case "micro":
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest);
                return 0;
            default: return Usage();
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage:
              NFStream.Benchmarks suite [--file FILE] [--size 1G] [--seed 1] [--repeat 3] [--only read,engine,...] [--markdown OUT.md]
                  every run in its own process on one generated capture; prints Markdown (bench/README.md)
              NFStream.Benchmarks flat [--size 10G] [--seed 1] [--sessions-per-second 100] [--every 1G]
                  memory while the engine meters a generated capture streamed through a FIFO (no disk)
              NFStream.Benchmarks generate --out FILE|- [--size 1G] [--seed 1] [--sessions-per-second 1000]
              NFStream.Benchmarks measure --file FILE --mode read|tuple|decode|engine [--ndissections 20] [--statistics]
                  [--splt N] [--meters N] [--dpi-thread] [--passes 2] [--memory-every 1G]
                  one run (the last of the passes), one JSON line
              NFStream.Benchmarks copies --in FILE --out FILE|FOLDER [--copies 10] [--folder]
                  the cold suite's real-traffic input: every packet N times, copy k's IP addresses XOR-ed by k
              NFStream.Benchmarks export --file FILE [--statistics] [--splt N] [--ndissections 0] [--repeat 3]
                  the same flows written as CSV and as Parquet (zstd, snappy, none): time and file size (Markdown)
              NFStream.Benchmarks micro [BenchmarkDotNet arguments, e.g. --filter '*']
            """);
        return 2;
    }

    private static int Copies(string[] args)
    {
        var a = Arguments.Parse(args);
        if (!a.TryGetValue("in", out var input) || !a.TryGetValue("out", out var output)) return Usage();
        int copies = int.Parse(a.GetValueOrDefault("copies", "10"), CultureInfo.InvariantCulture);
        var (packets, bytes) = AddressShiftedCopies.Write(input, output, copies, a.ContainsKey("folder"));
        Console.Error.WriteLine($"{output}: {packets:N0} packets, {bytes / (1024 * 1024):N0} MiB ({copies} copies of {input})");
        return 0;
    }

    private static int Measure(string[] args)
    {
        var a = Arguments.Parse(args);
        var options = new FlowOptions
        {
            NDissections = int.Parse(a.GetValueOrDefault("ndissections", "20"), CultureInfo.InvariantCulture),
            StatisticalAnalysis = a.ContainsKey("statistics"),
            SpltAnalysis = int.Parse(a.GetValueOrDefault("splt", "0"), CultureInfo.InvariantCulture),
            Meters = int.Parse(a.GetValueOrDefault("meters", "1"), CultureInfo.InvariantCulture),
            DpiOnOwnThread = a.ContainsKey("dpi-thread"),
        };
        long every = a.TryGetValue("memory-every", out var e) ? Arguments.Size(e) : 0;
        // Two passes in one process: the first is what a fresh process gets, the second the steady state.
        int passes = int.Parse(a.GetValueOrDefault("passes", "2"), CultureInfo.InvariantCulture);
        RunFigures? first = null, figures = null;
        for (int pass = 0; pass < passes; pass++)
        {
            figures = MeasuredRun.Run(a.GetValueOrDefault("mode", "engine"), a["file"], options, Console.Error, every);
            first ??= figures;
        }
        Console.WriteLine((figures! with { FirstPassSeconds = first!.Seconds }).ToJson());
        return 0;
    }

    private static int RunFlat(string[] args)
    {
        var a = Arguments.Parse(args);
        string report = FlatMemoryRun.Run(
            size: a.GetValueOrDefault("size", "10G"),
            seed: long.Parse(a.GetValueOrDefault("seed", "1"), CultureInfo.InvariantCulture),
            sessionsPerSecond: a.GetValueOrDefault("sessions-per-second", "100"),
            every: a.GetValueOrDefault("every", "1G"),
            log: Console.Error);
        Console.WriteLine(report);
        if (a.TryGetValue("markdown", out var md)) File.WriteAllText(md, report);
        return 0;
    }

    private static int RunSuite(string[] args)
    {
        var a = Arguments.Parse(args);
        string root = BenchmarkSuite.FindRepositoryRoot();
        long size = Arguments.Size(a.GetValueOrDefault("size", "1G"));
        long seed = long.Parse(a.GetValueOrDefault("seed", "1"), CultureInfo.InvariantCulture);
        string file = a.TryGetValue("file", out var f)
            ? f
            : BenchmarkSuite.EnsureCapture(Path.Combine(root, "bench", "data", $"mix-{a.GetValueOrDefault("size", "1G")}-seed{seed}.pcap"), size, seed, Console.Error);
        var only = a.TryGetValue("only", out var o) ? o.Split(',').ToHashSet() : null;
        // The same volume at a tenth of the rate: ten times the capture time, longer than the idle timeout.
        string? longFile = a.ContainsKey("file") || (only is not null && !only.Overlaps(BenchmarkSuite.LongCaptureKeys))
            ? null
            : BenchmarkSuite.EnsureCapture(Path.Combine(root, "bench", "data", $"mix-{a.GetValueOrDefault("size", "1G")}-seed{seed}-100sps.pcap"),
                size, seed, Console.Error, sessionsPerSecond: 100);
        var suite = new BenchmarkSuite(file, int.Parse(a.GetValueOrDefault("repeat", "3"), CultureInfo.InvariantCulture), root, Console.Error, longFile);
        string markdown = suite.Run(only);
        Console.WriteLine(markdown);
        if (a.TryGetValue("markdown", out var md)) File.WriteAllText(md, markdown);
        return 0;
    }

    private static int RunExport(string[] args)
    {
        var a = Arguments.Parse(args);
        var options = new FlowOptions
        {
            NDissections = int.Parse(a.GetValueOrDefault("ndissections", "0"), CultureInfo.InvariantCulture),
            StatisticalAnalysis = a.ContainsKey("statistics"),
            SpltAnalysis = int.Parse(a.GetValueOrDefault("splt", "0"), CultureInfo.InvariantCulture),
        };
        Console.Write(ExportComparison.Run(a["file"], options,
            int.Parse(a.GetValueOrDefault("repeat", "3"), CultureInfo.InvariantCulture), Console.Error));
        return 0;
    }

    private static int Generate(string[] args)
    {
        var a = Arguments.Parse(args);
        var options = new TrafficOptions
        {
            TargetBytes = Arguments.Size(a.GetValueOrDefault("size", "1G")),
            Seed = long.Parse(a.GetValueOrDefault("seed", "1")),
            SessionsPerSecond = double.Parse(a.GetValueOrDefault("sessions-per-second", "1000"), System.Globalization.CultureInfo.InvariantCulture),
        };
        var summary = TrafficGenerator.Write(a["out"], options);
        Console.Error.WriteLine($"{summary.Packets} packets, {summary.Bytes / 1e6:0.0} MB, {summary.Sessions} conversations, " +
                                $"{summary.CaptureSpan.TotalSeconds:0.0} s of capture, written in {summary.Elapsed.TotalSeconds:0.0} s " +
                                $"({summary.Bytes / 1e6 / summary.Elapsed.TotalSeconds:0} MB/s)");
        return 0;
    }
}

/// <summary>--name value pairs.</summary>
internal static class Arguments
{
    public static Dictionary<string, string> Parse(string[] args)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--")) throw new ArgumentException($"unexpected argument '{args[i]}'");
            string name = args[i][2..];
            map[name] = i + 1 < args.Length && !args[i + 1].StartsWith("--") ? args[++i] : "true";
        }
        return map;
    }

    /// <summary>"1G", "500M", "64K" or a plain byte count.</summary>
    public static long Size(string text)
    {
        text = text.Trim().ToUpperInvariant();
        long unit = text.EndsWith('G') ? 1L << 30 : text.EndsWith('M') ? 1L << 20 : text.EndsWith('K') ? 1L << 10 : 1;
        if (unit != 1) text = text[..^1];
        return (long)(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture) * unit);
    }
}
