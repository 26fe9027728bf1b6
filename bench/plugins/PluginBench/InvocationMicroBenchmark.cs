using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PluginBench;

/// <summary>
/// The cost of one call of an empty <c>{ param($packet, $flow) }</c> scriptblock, by the ways C# can invoke it,
/// measured on the pipeline thread inside a running pipeline (where the module's ScriptBlockPlugin runs it), and
/// a script-side <c>&amp; $sb</c> loop for comparison. Shows which invocation the module should use.
/// </summary>
public sealed class InvocationMicroBenchmark
{
    private static readonly (string Mode, string Label)[] Modes =
    {
        ("ReturnAsIsReused", "InvokeReturnAsIs(args), args array reused (module, no -Parameter)"),
        ("ReturnAsIsFresh", "InvokeReturnAsIs(new object[] { p, f }) per call"),
        ("Invoke", "Invoke(args): output wrapped in Collection<PSObject>"),
        ("WithContextNone", "InvokeWithContext(null, empty list, args)"),
        ("WithContextOne", "InvokeWithContext(null, [1 PSVariable], args) (module, -Parameter)"),
    };

    private readonly object packet = PSObject.AsPSObject(new object());
    private readonly object flow = new object();

    /// <summary>Calls <paramref name="block"/> <paramref name="calls"/> times the given way; nanoseconds per call.</summary>
    public double Run(ScriptBlock block, int calls, string mode)
    {
        var arguments = new object?[] { packet, flow };
        var none = new List<PSVariable>();
        var one = new List<PSVariable> { new("threshold", 5) };
        var watch = Stopwatch.StartNew();
        switch (mode)
        {
            case "ReturnAsIsReused":
                for (int i = 0; i < calls; i++) block.InvokeReturnAsIs(arguments);
                break;
            case "ReturnAsIsFresh":
                for (int i = 0; i < calls; i++) block.InvokeReturnAsIs(packet, flow);
                break;
            case "Invoke":
                for (int i = 0; i < calls; i++) block.Invoke(arguments);
                break;
            case "WithContextNone":
                for (int i = 0; i < calls; i++) block.InvokeWithContext(null, none, arguments);
                break;
            case "WithContextOne":
                for (int i = 0; i < calls; i++) block.InvokeWithContext(null, one, arguments);
                break;
            default:
                throw new ArgumentException(mode);
        }
        return watch.Elapsed.TotalNanoseconds / calls;
    }

    public static void Print(Runspace runspace, int calls)
    {
        runspace.SessionStateProxy.SetVariable("micro", new InvocationMicroBenchmark());
        runspace.SessionStateProxy.SetVariable("calls", calls);
        Console.WriteLine($"Invoking an empty {{ param($packet, $flow) }} scriptblock {calls} times on the pipeline thread (median of 5):");
        const int Rounds = 5;
        var results = Modes.ToDictionary(m => m.Mode, _ => new List<double>());
        foreach (var (mode, _) in Modes)
            Program.Run(runspace, $"$sb = {{ param($packet, $flow) }}; $null = $micro.Run($sb, 2000, '{mode}')");   // warm-up
        for (int r = 0; r < Rounds; r++)                                            // interleaved, like the cases
            foreach (var (mode, _) in Modes)
            {
                var ns = Program.Run(runspace, $"$sb = {{ param($packet, $flow) }}; $micro.Run($sb, $calls, '{mode}')");
                results[mode].Add(Convert.ToDouble(ns[0].BaseObject));
            }
        foreach (var (mode, label) in Modes)
            Console.WriteLine($"  {label,-70} {results[mode].Order().ElementAt(Rounds / 2),8:F0} ns/call");
        const string Script = """
            & { param($calls)
                $sb = { param($packet, $flow) }; $p = [object]::new(); $f = [object]::new()
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                for ($i = 0; $i -lt $calls; $i++) { & $sb $p $f }
                $watch.Elapsed.TotalNanoseconds / $calls
            } $calls
            """;
        Program.Run(runspace, Script.Replace("} $calls", "} 1000"));
        var script = Program.Run(runspace, Script);
        Console.WriteLine($"  {"script loop: & $sb $p $f (for comparison, no C# in between)",-70} {Convert.ToDouble(script[0].BaseObject),8:F0} ns/call");
    }
}
