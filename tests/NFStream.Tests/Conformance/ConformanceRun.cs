using NFStream.Tests.Hosting;

namespace NFStream.Tests.Conformance;

/// <summary>
/// Runs every corpus capture through <c>Get-NFFlow | Export-NFFlowCsv</c> in a real PowerShell session and
/// compares our CSV with NFStream's reference CSV, column by column.
/// </summary>
public static class ConformanceRun
{
    public sealed record Outcome(string Capture, string? FirstDifference, bool Deliberate);

    public static IReadOnlyDictionary<string, string> DeliberateDifferences { get; } = LoadDeliberateDifferences();

    public static List<Outcome> Run(PowerShellSession ps, ReferenceVariant variant, string corpus, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var pcaps = RepositoryPaths.CorpusCaptures(corpus);
        var script = $$"""
            foreach ($p in $pcaps) {
                $csv = [IO.Path]::Combine($outDir, [IO.Path]::GetFileName($p) + '.csv')
                Get-NFFlow -LiteralPath $p {{variant.Arguments}} | Export-NFFlowCsv -LiteralPath $csv
            }
            """;
        var result = ps.Run(script, new Dictionary<string, object?> { ["pcaps"] = pcaps, ["outDir"] = outDir });
        Assert.True(result.Terminating is null, "Terminating error: " + result.Terminating);
        var outcomes = new List<Outcome>();
        foreach (var pcap in pcaps)
        {
            var name = Path.GetFileName(pcap);
            var ours = Path.Combine(outDir, name + ".csv");
            var reference = Path.Combine(corpus, "reference", variant.Folder, name + ".csv");
            var difference = File.Exists(ours) ? Compare(CsvTable.Read(reference), CsvTable.Read(ours)) : "no CSV was written";
            outcomes.Add(new Outcome(name, difference, DeliberateDifferences.ContainsKey(name)));
        }
        return outcomes;
    }

    /// <summary>The first engine column that differs, or null when every engine column of every flow matches.</summary>
    public static string? Compare(CsvTable reference, CsvTable ours)
    {
        if (reference.Header.Length == 0)
            return ours.Rows.Count == 0 ? null : $"NFStream emits no flow, we emit {ours.Rows.Count}";
        var columns = reference.Header.Where(c => !ReferenceVariant.ApplicationColumns.Contains(c)).ToArray();
        var missing = columns.Where(c => ours.IndexOf(c) < 0).ToArray();
        if (missing.Length > 0) return "missing columns: " + string.Join(", ", missing);
        var extra = ours.Header.Where(c => reference.IndexOf(c) < 0).ToArray();
        if (extra.Length > 0) return "extra columns: " + string.Join(", ", extra);
        if (reference.Rows.Count != ours.Rows.Count)
            return $"flow count: NFStream {reference.Rows.Count}, ours {ours.Rows.Count}";
        for (int row = 0; row < reference.Rows.Count; row++)
        {
            foreach (var column in columns)
            {
                string expected = reference.Rows[row][reference.IndexOf(column)];
                string actual = ours.Rows[row][ours.IndexOf(column)];
                if (expected != actual) return $"flow {row}, column {column}: NFStream '{expected}', ours '{actual}'";
            }
        }
        return null;
    }

    private static IReadOnlyDictionary<string, string> LoadDeliberateDifferences()
    {
        var file = Path.Combine(RepositoryPaths.Root, "tests", "conformance", "deliberate-differences.txt");
        var map = new Dictionary<string, string>();
        if (!File.Exists(file)) return map;
        foreach (var raw in File.ReadAllLines(file))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int space = line.IndexOf(' ');
            map[space < 0 ? line : line[..space]] = space < 0 ? "" : line[(space + 1)..].Trim();
        }
        return map;
    }

    /// <summary>The printed summary: how many captures match exactly, and the others with their first difference.</summary>
    public static string Report(ReferenceVariant variant, List<Outcome> outcomes)
    {
        var lines = new List<string>
        {
            $"conformance {variant.Name}: {outcomes.Count(o => o.FirstDifference is null)}/{outcomes.Count} captures exact on every engine column"
                + $" ({outcomes.Count(o => o.Deliberate)} listed as deliberate differences)",
        };
        lines.AddRange(outcomes.Where(o => o.FirstDifference is not null)
            .Select(o => $"  {(o.Deliberate ? "deliberate" : "DIFFERENT ")} {o.Capture}: {o.FirstDifference}"));
        return string.Join(Environment.NewLine, lines);
    }
}
