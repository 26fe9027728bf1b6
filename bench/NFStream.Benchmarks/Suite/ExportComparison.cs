using System.Diagnostics;
using System.Globalization;
using System.Text;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Export;
using NFStream.Engine.Flows;

namespace NFStream.Benchmarks.Suite;

/// <summary>
/// `export`: the same flows written as NFStream CSV and as Parquet (zstd, snappy, none): flows a second and file
/// size. The capture is metered once, into memory; each format is then written --repeat times to a scratch file
/// and the fastest run is kept (the write alone, what Export-NFFlowCsv and Export-NFFlowParquet add to a run).
/// </summary>
internal static class ExportComparison
{
    public static string Run(string capture, FlowOptions options, int repeat, TextWriter progress)
    {
        var flows = new List<NFlow>();
        using (var extractor = new FlowExtractor(options))
        using (var source = CaptureFile.Open(capture))
        {
            while (extractor.Pump(source, 4096))
                while (extractor.TryTakeFlow(out var f)) flows.Add(f);
            extractor.Finish();
            while (extractor.TryTakeFlow(out var f)) flows.Add(f);
        }
        progress.WriteLine($"{flows.Count} flows metered from {capture}");
        string dir = Path.Combine(Path.GetTempPath(), "nfstream-export-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        var columns = FlowColumns.For(flows[0].Columns);
        var cases = new (string Name, Action<string> Write)[]
        {
            ("CSV", path =>
            {
                using var writer = new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16),
                    new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
                var csv = new CsvFlowWriter(writer, columns);
                csv.WriteHeader();
                foreach (var f in flows) csv.Write(f);
            }),
            ("Parquet zstd", path => WriteParquet(path, flows, ParquetCompression.Zstd)),
            ("Parquet snappy", path => WriteParquet(path, flows, ParquetCompression.Snappy)),
            ("Parquet uncompressed", path => WriteParquet(path, flows, ParquetCompression.None)),
        };
        var table = new StringBuilder();
        table.AppendLine($"{flows.Count:N0} flows, {columns.Count} columns ({flows[0].Columns}); best of {repeat} runs");
        table.AppendLine();
        table.AppendLine("| format | write time | flows/s | file size | bytes/flow | size vs CSV |");
        table.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        long csvSize = 0;
        try
        {
            foreach (var (name, write) in cases)
            {
                string path = Path.Combine(dir, "flows.out");
                var best = TimeSpan.MaxValue;
                for (int i = 0; i < repeat; i++)
                {
                    GC.Collect();
                    var clock = Stopwatch.StartNew();
                    write(path);
                    clock.Stop();
                    if (clock.Elapsed < best) best = clock.Elapsed;
                }
                long size = new FileInfo(path).Length;
                if (name == "CSV") csvSize = size;
                progress.WriteLine($"{name}: {best.TotalMilliseconds:0} ms, {size} bytes");
                table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {best.TotalMilliseconds:0} ms | {flows.Count / best.TotalSeconds:N0} | {size / 1e6:0.00} MB | {(double)size / flows.Count:0} | {(double)size / csvSize:0.00}x |"));
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
        return table.ToString();
    }

    private static void WriteParquet(string path, List<NFlow> flows, ParquetCompression compression)
    {
        using var writer = ParquetFlowWriter.Create(File.Create(path), ParquetFlowLayout.For(flows[0]), null, compression);
        foreach (var f in flows) writer.Write(f);
    }
}
