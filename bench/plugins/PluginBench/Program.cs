using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;
using NFStream.Engine.Plugins;
using NFStream.Engine.Samples;

namespace PluginBench;

/// <summary>
/// Prints what plugins cost per packet: Get-NFFlow on one generated capture (SampleCapture, nDPI off so the
/// meter dominates) with no plugin, an empty compiled plugin, empty scriptblock callbacks and 1 or 3 trivial
/// scriptblock plugins; then the raw cost of the ways a scriptblock can be invoked from C# on the pipeline
/// thread. Figures only: nothing is asserted. Options: --rounds N (capture size, default 3000), --repeat N
/// (timed runs per case, default 5), --calls N (micro-benchmark calls, default 200000), --no-micro.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        int rounds = Option(args, "--rounds", 3000), repeat = Option(args, "--repeat", 5), calls = Option(args, "--calls", 200_000);
        bool micro = !args.Contains("--no-micro");
        string root = FindRoot();
        string manifest = Path.Combine(root, "out", "NFStream", "NFStream.psd1");
        string dir = Directory.CreateTempSubdirectory("nfstream-plugin-bench-").FullName;
        try
        {
            string capture = Path.Combine(dir, "bench.pcap");
            long written = SampleCapture.Write(capture, rounds: rounds);
            Console.WriteLine($"NFStream plugin benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:u}");
            Console.WriteLine($"Capture: SampleCapture, {rounds} rounds, {written} packets, {new FileInfo(capture).Length / 1024} KiB; Get-NFFlow -NDissections 0");

            Runspace.DefaultRunspace = null;
            using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            runspace.Open();
            Runspace.DefaultRunspace = runspace;
            Run(runspace, $"Import-Module '{manifest}' -ErrorAction Stop");
            runspace.SessionStateProxy.SetVariable("capture", capture);
            runspace.SessionStateProxy.SetVariable("emptyCompiled", new EmptyPlugin());

            var flows = Run(runspace, "Get-NFFlow -LiteralPath $capture -NDissections 0");
            long flowCount = flows.Count;
            long packets = flows.Sum(f => Convert.ToInt64(f.Properties["bidirectional_packets"].Value));
            Console.WriteLine($"Metered: {packets} packets in {flowCount} flows ({packets - flowCount} OnUpdate calls, {flowCount} OnInit, {flowCount} OnExpire per plugin)");
            Console.WriteLine();

            var cases = Cases(packets, flowCount);
            // Warm-up (JIT, scriptblock compilation), which also sizes each case's batch: fast cases run several
            // times per round so that every case gets about the same wall time and its median means as much.
            var batch = new Dictionary<Case, int>();
            foreach (var c in cases)
            {
                Time(runspace, c);
                batch[c] = Math.Clamp((int)Math.Ceiling(0.4 / Time(runspace, c).Seconds), 1, 50);
            }
            var seconds = cases.ToDictionary(c => c, _ => new List<double>());
            var bytes = cases.ToDictionary(c => c, _ => new List<double>());
            for (int r = 0; r < repeat; r++)                                     // interleaved: drift hits every case
                foreach (var c in cases)
                    for (int k = 0; k < batch[c]; k++)
                    {
                        var (s, b) = Time(runspace, c);
                        seconds[c].Add(s);
                        bytes[c].Add(b);
                    }

            double baseline = Median(seconds[cases[0]]), baselineMin = seconds[cases[0]].Min(), baselineBytes = Median(bytes[cases[0]]);
            Console.WriteLine($"{"case",-64} {"median s",8} {"min s",6} {"packets/s",10} {"+ns/packet",10} {"(by min)",8} {"ns/call",7} {"+B/packet",9}");
            foreach (var c in cases)
            {
                bool first = ReferenceEquals(c, cases[0]);
                double median = Median(seconds[c]), min = seconds[c].Min();
                string Figure(double value, int width) => (first ? "-" : value.ToString("F0")).PadLeft(width);
                Console.WriteLine($"{c.Label,-64} {median,8:F3} {min,6:F3} {packets / median,10:N0} " +
                                  $"{Figure((median - baseline) * 1e9 / packets, 10)} {Figure((min - baselineMin) * 1e9 / packets, 8)} " +
                                  $"{(c.ScriptCalls > 0 ? ((median - baseline) * 1e9 / c.ScriptCalls).ToString("F0") : "-"),7} " +
                                  $"{Figure((Median(bytes[c]) - baselineBytes) / packets, 9)}");
            }
            Console.WriteLine();
            Console.WriteLine("+ns/packet: median time minus the no-plugin median, per metered packet; (by min): the same from the fastest");
            Console.WriteLine("runs, less hurt by other load. ns/call: +ns/packet per scriptblock invocation. +B/packet: managed bytes allocated");
            Console.WriteLine($"beyond the no-plugin run, per packet. {repeat} interleaved rounds (fast cases run several times a round).");
            Console.WriteLine();
            EngineOnly(capture, packets, Math.Max(repeat, 9));

            if (micro)
            {
                Console.WriteLine();
                InvocationMicroBenchmark.Print(runspace, calls);
            }
            return 0;
        }
        finally
        {
            Runspace.DefaultRunspace = null;
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// The meter alone (FlowExtractor, no PowerShell, no DPI), with and without the empty compiled plugin: what a
    /// compiled plugin costs when nothing else blurs it (the packet view's copy of each frame and three calls).
    /// </summary>
    private static void EngineOnly(string capture, long packets, int repeat)
    {
        double Once(IFlowPlugin[]? plugins)
        {
            var watch = Stopwatch.StartNew();
            using var extractor = new FlowExtractor(new FlowOptions(), plugins: plugins);
            using var source = CaptureFile.Open(capture);
            while (extractor.Pump(source, 4096)) while (extractor.TryTakeFlow(out _)) { }
            extractor.Finish();
            while (extractor.TryTakeFlow(out _)) { }
            return watch.Elapsed.TotalSeconds;
        }
        var none = new List<double>();
        var empty = new List<double>();
        var plugins = new IFlowPlugin[] { new EmptyPlugin() };
        Once(null);
        int batch = Math.Clamp((int)Math.Ceiling(0.4 / Once(plugins)), 1, 50);
        for (int r = 0; r < repeat; r++)
            for (int k = 0; k < batch; k++)
            {
                none.Add(Once(null));
                empty.Add(Once(plugins));
            }
        double a = Median(none), b = Median(empty);
        Console.WriteLine($"Engine only (FlowExtractor, no PowerShell), medians of {none.Count} runs: no plugin {a:F3} s ({packets / a:N0} packets/s), " +
                          $"empty compiled plugin {b:F3} s ({packets / b:N0} packets/s): {(b - a) * 1e9 / packets:F0} ns/packet");
    }

    private sealed record Case(string Label, string Script, long ScriptCalls);

    private static List<Case> Cases(long packets, long flows)
    {
        const string Get = "$null = Get-NFFlow -LiteralPath $capture -NDissections 0";
        const string Counter = "@{{ Name = '{0}'; OnInit = {{ param($packet, $flow) $flow.udps.{0} = 1 }}; OnUpdate = {{ param($packet, $flow) $flow.udps.{0} += 1 }} }}";
        long updates = packets - flows;
        return new List<Case>
        {
            new("no plugin", Get, 0),
            new("compiled: empty FlowPlugin", Get + " -Plugin $emptyCompiled", 0),
            new("compiled: built-in PayloadEntropy", Get + " -Plugin PayloadEntropy", 0),
            new("scriptblock: empty OnUpdate { }", Get + " -Plugin (New-NFPlugin -Name e -OnUpdate { })", updates),
            new("scriptblock: empty OnUpdate { param($packet, $flow) }", Get + " -Plugin (New-NFPlugin -Name e -OnUpdate { param($packet, $flow) })", updates),
            new("scriptblock: OnUpdate reads $threshold from -Parameter", Get +
                " -Plugin (New-NFPlugin -Name e -Parameter @{ threshold = 5 } -OnUpdate { param($packet, $flow) $null = $threshold })", updates),
            new("scriptblock: OnUpdate reads $threshold from the caller", "$threshold = 5; " + Get +
                " -Plugin (New-NFPlugin -Name e -OnUpdate { param($packet, $flow) $null = $threshold })", updates),
            new("scriptblock: 1 trivial plugin (udps counter)", Get + " -Plugin " + string.Format(Counter, "a"), packets),
            new("scriptblock: 3 trivial plugins (udps counters)", Get + " -Plugin " + string.Join(", ", new[] { "a", "b", "c" }.Select(n => string.Format(Counter, n))), 3 * packets),
            new("scriptblock: OnUpdate reads $packet.payload_size + $flow.src_ip", Get +
                " -Plugin @{ Name = 'read'; OnUpdate = { param($packet, $flow) $null = $packet.payload_size + $flow.src_ip.Length } }", updates),
        };
    }

    private static (double Seconds, double Bytes) Time(Runspace runspace, Case c)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        Run(runspace, c.Script);
        watch.Stop();
        return (watch.Elapsed.TotalSeconds, GC.GetTotalAllocatedBytes(precise: true) - before);
    }

    internal static Collection<PSObject> Run(Runspace runspace, string script)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript(script);
        var output = ps.Invoke();
        if (ps.HadErrors)
            throw new InvalidOperationException($"{script}\n{string.Join("\n", ps.Streams.Error.Select(e => e.ToString()))}");
        return output;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NFStream.psd1")) && Directory.Exists(Path.Combine(dir.FullName, "src")))
            {
                if (!File.Exists(Path.Combine(dir.FullName, "out", "NFStream", "NFStream.psd1")))
                    throw new InvalidOperationException("Build the module first: dotnet build NFStream.sln -c Release");
                return dir.FullName;
            }
        throw new InvalidOperationException("Run from inside the repository (NFStream.psd1 not found above " + AppContext.BaseDirectory + ").");
    }
}

/// <summary>The cheapest possible compiled plugin: every callback empty.</summary>
public sealed class EmptyPlugin : FlowPlugin
{
    public override string Name => "empty";
}
