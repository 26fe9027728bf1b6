using NFStream.Engine.Samples;
using NFStream.Tests.Conformance;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Dpi;

/// <summary>
/// The layer-7 columns exist only when -NDissections is above 0, and then sit where NFStream puts them: after the
/// early-packet (splt) columns, or the statistical ones, or the core ones, and before the plugin (udps) columns
/// (docs/nfstream-semantics.md#columns, flow.py's __slots__ order). Checked on both faces of a flow: its PowerShell
/// properties and Export-NFFlowCsv's header; with the corpus, against NFStream's own CSV headers too.
/// The expected lists are written out here from the spec, not taken from FlowColumns.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class ApplicationColumnLayoutTests
{
    private static readonly string[] Core =
    {
        "id", "expiration_id", "src_ip", "src_mac", "src_oui", "src_port", "dst_ip", "dst_mac", "dst_oui", "dst_port",
        "protocol", "ip_version", "vlan_id",
    };

    private static readonly string[] Directions = { "bidirectional", "src2dst", "dst2src" };

    private static IEnumerable<string> Counters() =>
        Directions.SelectMany(d => new[] { "first_seen_ms", "last_seen_ms", "duration_ms", "packets", "bytes" }.Select(c => $"{d}_{c}"));

    private static IEnumerable<string> Statistics() =>
        Directions.SelectMany(d => new[] { "min_ps", "mean_ps", "stddev_ps", "max_ps" }.Select(c => $"{d}_{c}"))
            .Concat(Directions.SelectMany(d => new[] { "min_piat_ms", "mean_piat_ms", "stddev_piat_ms", "max_piat_ms" }.Select(c => $"{d}_{c}")))
            .Concat(Directions.SelectMany(d => new[] { "syn", "cwr", "ece", "urg", "ack", "psh", "rst", "fin" }.Select(c => $"{d}_{c}_packets")));

    private static readonly string[] Splt = { "splt_direction", "splt_ps", "splt_piat_ms" };

    private static readonly string[] Application =
    {
        "application_name", "application_category_name", "application_is_guessed", "application_confidence",
        "requested_server_name", "client_fingerprint", "server_fingerprint", "user_agent", "content_type",
    };

    private static string[] Expected(bool tunnels, bool statistics, bool splt, bool application, params string[] udps) =>
        Core.Concat(tunnels ? new[] { "tunnel_id" } : Array.Empty<string>())
            .Concat(Counters())
            .Concat(statistics ? Statistics() : Array.Empty<string>())
            .Concat(splt ? Splt : Array.Empty<string>())
            .Concat(application ? Application : Array.Empty<string>())
            .Concat(udps.Select(u => "udps." + u))
            .ToArray();

    private readonly PowerShellSession ps;
    private readonly string dir = RepositoryPaths.NewScratchDirectory();
    private readonly string sample;

    public ApplicationColumnLayoutTests(PowerShellFixture fixture)
    {
        ps = fixture.Session;
        sample = Path.Combine(dir, "sample.pcap");
        SampleCapture.Write(sample, rounds: 1);
    }

    /// <summary>The flow's property names ($flow.PSObject.Properties) and the CSV header.</summary>
    private (string[] Properties, string[] Csv) Columns(string options)
    {
        string csv = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".csv");
        var result = ps.Run($$"""
            $flows = @(Get-NFFlow -LiteralPath $sample {{options}})
            $flows | Export-NFFlowCsv -LiteralPath $csv
            $flows[0].PSObject.Properties | ForEach-Object Name
            """, new Dictionary<string, object?> { ["sample"] = sample, ["csv"] = csv }).AssertSuccess();
        return (result.Output.Select(o => o.ToString()).ToArray(), CsvTable.Read(csv).Header);
    }

    public static IEnumerable<object[]> Layouts() => new[]
    {
        new object[] { "", Expected(tunnels: true, statistics: false, splt: false, application: true) },   // default: 20
        new object[] { "-NDissections 0", Expected(true, false, false, false) },
        new object[] { "-NDissections 1 -StatisticalAnalysis -SpltAnalysis 10", Expected(true, true, true, true) },
        new object[] { "-NDissections 0 -StatisticalAnalysis -SpltAnalysis 10", Expected(true, true, true, false) },
        new object[] { "-NDissections 255 -DecodeTunnels $false -SpltAnalysis 3", Expected(false, false, true, true) },
        new object[] { "-NDissections 0 -DecodeTunnels $false -StatisticalAnalysis -SpltAnalysis 10", Expected(false, true, true, false) },
        new object[] { "-NDissections 20 -Plugin @{ Name = 'p'; OnInit = { param($packet, $flow) $flow.udps.seen = 1 } }",
            Expected(true, false, false, true, "seen") },
    };

    [NdpiTheory]
    [MemberData(nameof(Layouts))]
    public void ApplicationColumnsArePresentOnlyWithDissectionsAndInNFStreamsPlace(string options, string[] expected)
    {
        var (properties, csv) = Columns(options);
        Assert.Equal(expected, csv);
        // The PowerShell properties are the same, except that udps is one property holding the plugin values.
        Assert.Equal(expected.Where(c => !c.StartsWith("udps.", StringComparison.Ordinal))
            .Concat(expected.Any(c => c.StartsWith("udps.", StringComparison.Ordinal)) ? new[] { "udps" } : Array.Empty<string>()),
            properties);
    }

    [Fact]
    public void TheCountsMatchNFStreams()
    {
        Assert.Equal(89, Expected(true, true, true, true).Length);     // the corpus's default configuration
        Assert.Equal(79, Expected(false, true, true, false).Length);   // n_dissections=0, decode_tunnels=False
    }

    [NdpiCorpusFact]
    public void HeadersMatchNFStreamsOwnCsvFiles()
    {
        string reference = Path.Combine(RepositoryPaths.Corpus!, "reference");
        string[] Header(string variant) => File.ReadLines(Directory.GetFiles(Path.Combine(reference, variant), "*.csv")
            .First(f => new FileInfo(f).Length > 0)).First().Split(',');

        Assert.Equal(Header("default"), Columns("-StatisticalAnalysis -SpltAnalysis 10").Csv);
        Assert.Equal(Header("nodpi_notunnel"), Columns("-NDissections 0 -DecodeTunnels $false -StatisticalAnalysis -SpltAnalysis 10").Csv);
    }

}
