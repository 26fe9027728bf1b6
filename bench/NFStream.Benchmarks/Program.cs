using NFStream.Benchmarks.Generator;

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
            default: return Usage();
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: NFStream.Benchmarks generate --out FILE|- [--size 1G] [--seed 1] [--sessions-per-second 2000]");
        return 2;
    }

    private static int Generate(string[] args)
    {
        var a = Arguments.Parse(args);
        var options = new TrafficOptions
        {
            TargetBytes = Arguments.Size(a.GetValueOrDefault("size", "1G")),
            Seed = long.Parse(a.GetValueOrDefault("seed", "1")),
            SessionsPerSecond = double.Parse(a.GetValueOrDefault("sessions-per-second", "2000"), System.Globalization.CultureInfo.InvariantCulture),
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
