using System.Diagnostics;
using System.Text;

namespace NFStream.Benchmarks.Suite;

/// <summary>
/// Flat memory on a large file: the generator streams a capture of the given size into a FIFO, and a measure
/// child meters it (engine only, default options) and reports resident memory, managed heap and flows held
/// after every step of input. Nothing touches the disk, so a 10 GB run needs no 10 GB of free space.
/// </summary>
public static class FlatMemoryRun
{
    public static string Run(string size, long seed, string sessionsPerSecond, string every, TextWriter log)
    {
        string self = typeof(FlatMemoryRun).Assembly.Location;
        string fifo = Path.Combine(Path.GetTempPath(), $"nfstream-flat-{Environment.ProcessId}.pcap");
        File.Delete(fifo);
        using (var mkfifo = Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
        try
        {
            var generator = Process.Start(new ProcessStartInfo(Environment.ProcessPath!,
                $"\"{self}\" generate --out \"{fifo}\" --size {size} --seed {seed} --sessions-per-second {sessionsPerSecond}")
            {
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var meter = Process.Start(new ProcessStartInfo(Environment.ProcessPath!,
                $"\"{self}\" measure --file \"{fifo}\" --mode engine --ndissections 0 --passes 1 --memory-every {every}")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            var samples = new List<string>();
            var generated = generator.StandardError.ReadToEndAsync();
            string? line;
            while ((line = meter.StandardError.ReadLine()) is not null)
            {
                log.WriteLine("  " + line);
                samples.Add(line);
            }
            string json = meter.StandardOutput.ReadToEnd();
            meter.WaitForExit();
            generator.WaitForExit();
            var figures = RunFigures.FromJson(json.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{')));
            var md = new StringBuilder();
            md.AppendLine($"Generated capture: {generated.Result.Trim()}");
            md.AppendLine();
            md.AppendLine($"Engine only (-NDissections 0, default timeouts), read from a FIFO: {figures.Packets:N0} packets, " +
                          $"{figures.Flows:N0} flows in {figures.Seconds:0.0} s (the generator sets the pace); peak RSS {figures.PeakResidentBytes / 1e6:0} MB.");
            md.AppendLine();
            md.AppendLine("| input read | resident | managed heap | flows held |");
            md.AppendLine("|--:|--:|--:|--:|");
            foreach (var sample in samples)
            {
                // "1.00 GB read: 80 MB resident, 30 MB managed, 1234 flows held"
                var parts = sample.Split(new[] { " read: ", ", " }, StringSplitOptions.None);
                if (parts.Length == 4) md.AppendLine($"| {parts[0]} | {parts[1].Replace(" resident", "")} | {parts[2].Replace(" managed", "")} | {parts[3].Replace(" flows held", "")} |");
            }
            return md.ToString();
        }
        finally
        {
            File.Delete(fifo);
        }
    }
}
