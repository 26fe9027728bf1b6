using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Dpi;
using NFStream.Engine.Export;
using NFStream.Engine.Flows;
using NFStream.Tests.Hosting;
using NFStream.Traffic;

namespace NFStream.Tests.Meters;

/// <summary>Runs one capture through the engine with a given meter count and renders every flow as a CSV row.</summary>
public static class MeterRuns
{
    /// <summary>The flows of <paramref name="path"/> as NFStream CSV rows (header first), in output order.</summary>
    /// <param name="batch">Packets per Pump: flows are taken between batches, as a metering loop takes them.</param>
    /// <param name="classifiers">The classifier factory (default: the engine's nDPI classifier when DPI is on).</param>
    public static List<string> Rows(string path, FlowOptions options, int batch = 1000,
        Func<IFlowClassifier?>? classifiers = null)
    {
        using var source = CaptureFile.Open(path);
        return Rows(source, options, batch, classifiers);
    }

    /// <inheritdoc cref="Rows(string, FlowOptions, int, Func{IFlowClassifier?}?)"/>
    public static List<string> Rows(IPacketSource source, FlowOptions options, int batch = 1000,
        Func<IFlowClassifier?>? classifiers = null)
    {
        var text = new StringWriter();
        var csv = new CsvFlowWriter(text, FlowColumns.For(options.Columns));
        csv.WriteHeader();
        classifiers ??= options.NDissections > 0 ? () => FlowClassifierFactory.Create(options.NDissections) : null;
        using (var extractor = new FlowExtractor(options, classifiers))
        {
            Assert.Equal(options.ResolveMeters(Environment.ProcessorCount), extractor.Meters);
            while (extractor.Pump(source, batch))
                while (extractor.TryTakeFlow(out var flow)) csv.Write(flow);
            extractor.Finish();
            while (extractor.TryTakeFlow(out var flow)) csv.Write(flow);
        }
        return text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    /// <summary>A generated mixed capture of about <paramref name="bytes"/> bytes (cached per size and seed).</summary>
    public static string Generated(long bytes, long seed, double sessionsPerSecond)
    {
        string path = Path.Combine(Path.GetTempPath(), "nfstream-tests", $"mix-{bytes}-{seed}-{sessionsPerSecond}.pcap");
        if (File.Exists(path)) return path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string partial = path + "." + Guid.NewGuid().ToString("n");
        TrafficGenerator.Write(partial, new TrafficOptions { TargetBytes = bytes, Seed = seed, SessionsPerSecond = sessionsPerSecond });
        File.Move(partial, path, overwrite: true);
        return path;
    }

    /// <summary>The first row where two runs differ, or null when they are identical.</summary>
    public static string? FirstDifference(List<string> expected, List<string> actual)
    {
        for (int i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            if (expected[i] != actual[i]) return $"row {i}:\n  one meter: {expected[i]}\n  sharded:   {actual[i]}";
        }
        return expected.Count == actual.Count ? null : $"row count: one meter {expected.Count}, sharded {actual.Count}";
    }

    public static string Scratch() => RepositoryPaths.NewScratchDirectory();
}
