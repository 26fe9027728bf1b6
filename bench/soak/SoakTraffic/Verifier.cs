using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SoakTraffic;

/// <summary>
/// Checks a soak run: every planned flow appears exactly once in the CSV with its packet counts in both
/// directions, nothing else appears, the capture dropped nothing (or how much), and how memory moved.
/// </summary>
public static partial class Verifier
{
    public static int Run(string directory)
    {
        var generated = KeyValues(Path.Combine(directory, "generated.txt"));
        var stats = KeyValues(Path.Combine(directory, "stats.txt"));
        long planned = long.Parse(generated["flows"], CultureInfo.InvariantCulture);
        var seen = ReadFlows(Path.Combine(directory, "flows.csv"));
        var memory = ReadMemory(Path.Combine(directory, "memory.csv"));
        var reports = ReadReports(Path.Combine(directory, "capture.log"));

        // Flows: each planned key exactly once, with 3 + 2 packets.
        long missing = 0, split = 0, wrongCounts = 0;
        var expected = new HashSet<string>();
        for (long i = 0; i < planned; i++)
        {
            string key = TrafficPlan.Key(i);
            expected.Add(key);
            if (!seen.TryGetValue(key, out var flows)) { missing++; continue; }
            if (flows.Count > 1) split++;
            else if (flows[0].S2d != TrafficPlan.ClientToServer || flows[0].D2s != TrafficPlan.ServerToClient) wrongCounts++;
        }
        long unexpected = seen.Keys.Count(k => !expected.Contains(k));
        long csvFlows = seen.Values.Sum(v => v.Count);

        var text = new StringBuilder();
        text.AppendLine("# Live soak result");
        text.AppendLine();
        text.AppendLine($"Traffic: {generated["flows"]} flows ({TrafficPlan.PacketsPerFlow} packets each: {TrafficPlan.ClientToServer} client-to-server, " +
                        $"{TrafficPlan.ServerToClient} server-to-client, UDP and TCP alternately) = {generated["packets"]} packets " +
                        $"in {double.Parse(generated["seconds"], CultureInfo.InvariantCulture):0.0} s, at a stated rate of {generated["rate"]} flows/s " +
                        $"({double.Parse(generated["rate"], CultureInfo.InvariantCulture) * TrafficPlan.PacketsPerFlow:0} packets/s); send errors: {generated["send_errors"]}.");
        text.AppendLine();
        text.AppendLine("## Every flow sent was seen");
        text.AppendLine();
        text.AppendLine($"- flows planned and sent: {planned}");
        text.AppendLine($"- flows in the CSV: {csvFlows}");
        text.AppendLine($"- missing: {missing}; split in several flows: {split}; wrong packet counts: {wrongCounts}; not sent by the generator: {unexpected}");
        text.AppendLine();
        text.AppendLine("## Packets and drops (Start-NFCapture -StatisticsVariable)");
        text.AppendLine();
        foreach (var (key, value) in stats) text.AppendLine($"- {key}: {value}");
        text.AppendLine();
        text.AppendLine("## Memory (VmRSS of the capturing process) and flows over time");
        text.AppendLine();
        text.AppendLine("| elapsed | RSS (MiB) | packets received | flows emitted | active flows | dropped (kernel/interface/queue) |");
        text.AppendLine("|---:|---:|---:|---:|---:|---|");
        double last = -1;
        foreach (var (seconds, rssKb) in memory)
        {
            if (seconds - last < 60 && seconds != memory[^1].Seconds) continue;
            last = seconds;
            var report = reports.LastOrDefault(r => r.Seconds <= seconds + 5);
            text.AppendLine($"| {TimeSpan.FromSeconds(Math.Round(seconds)):hh\\:mm\\:ss} | {rssKb / 1024.0:0.0} | {report?.Received} | {report?.Emitted} | {report?.Active} | " +
                            $"{(report is null ? "" : $"{report.Kernel}/{report.Interface}/{report.Queue}")} |");
        }
        text.AppendLine();
        var steady = memory.Where(m => m.Seconds >= 60).ToList();
        if (steady.Count >= 3)
        {
            double slope = Slope(steady) * 60 / 1024;   // MiB per minute
            double min = steady.Min(m => m.RssKb) / 1024.0, max = steady.Max(m => m.RssKb) / 1024.0;
            double firstMinute = steady.Where(m => m.Seconds < 120).Average(m => m.RssKb) / 1024.0;
            double lastMinute = steady.Where(m => m.Seconds >= steady[^1].Seconds - 60).Average(m => m.RssKb) / 1024.0;
            text.AppendLine($"After the first minute: RSS between {min:0.0} and {max:0.0} MiB; mean of minute 2 {firstMinute:0.0} MiB, " +
                            $"of the last minute {lastMinute:0.0} MiB; least-squares trend {slope:+0.000;-0.000} MiB/min " +
                            $"({slope * (steady[^1].Seconds - steady[0].Seconds) / 60:+0.0;-0.0} MiB over the run).");
        }
        text.AppendLine();
        bool allSeen = missing == 0 && split == 0 && wrongCounts == 0 && unexpected == 0 && csvFlows == planned;
        text.AppendLine(allSeen ? "Verdict: every flow sent was seen, once, with its packet counts." : "Verdict: FLOWS DIFFER from what was sent (see above).");
        string summary = text.ToString();
        File.WriteAllText(Path.Combine(directory, "summary.md"), summary);
        Console.Write(summary);
        return allSeen ? 0 : 1;
    }

    private sealed record SeenFlow(long S2d, long D2s);

    private sealed record Report(double Seconds, long Received, long Emitted, long Active, long Kernel, long Interface, long Queue);

    private static Dictionary<string, string> KeyValues(string path) =>
        File.ReadAllLines(path).Where(l => l.Contains('=')).Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim());

    private static Dictionary<string, List<SeenFlow>> ReadFlows(string path)
    {
        var flows = new Dictionary<string, List<SeenFlow>>();
        using var reader = new StreamReader(path);
        var header = Split(reader.ReadLine() ?? "");
        int Column(string name) => header.IndexOf(name) is var i and >= 0 ? i : throw new InvalidDataException($"no column {name} in {path}");
        int srcIp = Column("src_ip"), srcPort = Column("src_port"), dstIp = Column("dst_ip"), dstPort = Column("dst_port"),
            protocol = Column("protocol"), s2d = Column("src2dst_packets"), d2s = Column("dst2src_packets");
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            var f = Split(line);
            string key = $"{f[srcIp]}|{f[srcPort]}|{f[dstIp]}|{f[dstPort]}|{f[protocol]}";
            if (!flows.TryGetValue(key, out var list)) flows[key] = list = new List<SeenFlow>(1);
            list.Add(new SeenFlow(long.Parse(f[s2d], CultureInfo.InvariantCulture), long.Parse(f[d2s], CultureInfo.InvariantCulture)));
        }
        return flows;
    }

    /// <summary>One RFC 4180 record (no embedded line breaks in these columns).</summary>
    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return fields;
    }

    private static List<(double Seconds, long RssKb)> ReadMemory(string path) =>
        File.ReadAllLines(path).Skip(1).Select(l => l.Split(','))
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), long.Parse(p[1], CultureInfo.InvariantCulture))).ToList();

    private static List<Report> ReadReports(string path)
    {
        var reports = new List<Report>();
        foreach (string line in File.ReadLines(path))
        {
            var m = ReportLine().Match(line);
            if (!m.Success) continue;
            long N(string g) => long.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
            reports.Add(new Report(TimeSpan.Parse(m.Groups["t"].Value, CultureInfo.InvariantCulture).TotalSeconds, N("rx"), N("flows"),
                N("active"), N("kernel"), N("if"), N("queue")));
        }
        return reports;
    }

    [GeneratedRegex(@" (?<t>\d\d:\d\d:\d\d): (?<rx>\d+) packets received, \d+ metered, \d+ ignored; dropped (?<kernel>\d+) by the kernel, (?<if>\d+) by the interface, (?<queue>\d+) by the queue; (?<flows>\d+) flows emitted, (?<active>\d+) active")]
    private static partial Regex ReportLine();

    private static double Slope(List<(double Seconds, long RssKb)> points)
    {
        double mx = points.Average(p => p.Seconds), my = points.Average(p => (double)p.RssKb);
        double sxy = points.Sum(p => (p.Seconds - mx) * (p.RssKb - my)), sxx = points.Sum(p => (p.Seconds - mx) * (p.Seconds - mx));
        return sxx == 0 ? 0 : sxy / sxx;   // kB per second
    }
}
