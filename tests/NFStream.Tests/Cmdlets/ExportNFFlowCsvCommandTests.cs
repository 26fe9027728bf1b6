using NFStream.Engine.Samples;
using NFStream.Tests.Conformance;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Cmdlets;

/// <summary>Export-NFFlowCsv: ShouldProcess, clobbering, appending, chunking, anonymisation and empty input.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class ExportNFFlowCsvCommandTests
{
    private const int SampleFlows = 33;
    private readonly PowerShellSession ps;
    private readonly string dir = RepositoryPaths.NewScratchDirectory();
    private readonly string sample;

    public ExportNFFlowCsvCommandTests(PowerShellFixture fixture)
    {
        ps = fixture.Session;
        sample = Path.Combine(dir, "sample.pcap");
        SampleCapture.Write(sample);
    }

    private ScriptResult Run(string script, string csv) =>
        ps.Run(script, new Dictionary<string, object?> { ["sample"] = sample, ["csv"] = csv });

    [Fact]
    public void WritesNFStreamsHeaderAndOneRowPerFlow()
    {
        string csv = Path.Combine(dir, "flows.csv");
        Run("Get-NFFlow $sample | Export-NFFlowCsv -LiteralPath $csv", csv).AssertSuccess();
        var table = CsvTable.Read(csv);
        Assert.Equal(SampleFlows, table.Rows.Count);
        Assert.Equal(new[] { "id", "expiration_id", "src_ip", "src_mac", "src_oui", "src_port" }, table.Header.Take(6));
        Assert.Contains("application_name", table.Header);
        Assert.Contains(table.Rows, r => r[table.IndexOf("user_agent")] == "Mozilla/5.0 (NFStream sample)");
    }

    [Fact]
    public void WhatIfWritesNothing()
    {
        string csv = Path.Combine(dir, "whatif.csv");
        Run("Get-NFFlow $sample | Export-NFFlowCsv -LiteralPath $csv -WhatIf", csv).AssertSuccess();
        Assert.False(File.Exists(csv));
    }

    [Fact]
    public void NoClobberRefusesAnExistingFileAndAppendAddsRowsWithoutASecondHeader()
    {
        string csv = Path.Combine(dir, "existing.csv");
        Run("Get-NFFlow $sample -MaxFlows 3 | Export-NFFlowCsv -LiteralPath $csv", csv).AssertSuccess();

        var refused = Run("Get-NFFlow $sample -MaxFlows 3 | Export-NFFlowCsv -LiteralPath $csv -NoClobber", csv);
        Assert.StartsWith("FileExists", Assert.Single(refused.Errors).FullyQualifiedErrorId);
        Assert.Equal(3, CsvTable.Read(csv).Rows.Count);

        Run("Get-NFFlow $sample -MaxFlows 2 | Export-NFFlowCsv -LiteralPath $csv -Append", csv).AssertSuccess();
        var lines = File.ReadAllLines(csv);
        Assert.Equal(1 + 3 + 2, lines.Length);
        Assert.Single(lines, l => l.StartsWith("id,", StringComparison.Ordinal));
    }

    [Fact]
    public void FlowsPerFileSplitsIntoNumberedFiles()
    {
        string csv = Path.Combine(dir, "chunked.csv");
        var written = Run("Get-NFFlow $sample | Export-NFFlowCsv -LiteralPath $csv -FlowsPerFile 10 -PassThru", csv).AssertSuccess();
        for (int i = 0; i < 4; i++) Assert.True(File.Exists(Path.Combine(dir, $"chunked.{i}.csv")), $"chunked.{i}.csv");
        Assert.Equal(SampleFlows, Enumerable.Range(0, 4).Sum(i => CsvTable.Read(Path.Combine(dir, $"chunked.{i}.csv")).Rows.Count));
        Assert.NotEmpty(written.Output);
    }

    [Fact]
    public void AnonymizationWithAKeyIsReproducibleAndHidesTheAddresses()
    {
        string first = Path.Combine(dir, "anon1.csv"), second = Path.Combine(dir, "anon2.csv");
        string script = "$key = [byte[]](1..64); Get-NFFlow $sample -MaxFlows 4 | Export-NFFlowCsv -LiteralPath $csv -AnonymizeColumn src_ip, dst_ip -AnonymizationKey $key";
        Run(script, first).AssertSuccess();
        Run(script, second).AssertSuccess();
        Assert.Equal(File.ReadAllText(first), File.ReadAllText(second));
        var table = CsvTable.Read(first);
        Assert.DoesNotContain(table.Rows, r => r[table.IndexOf("src_ip")] == "192.168.1.10");
        Assert.All(table.Rows, r => Assert.Equal(128, r[table.IndexOf("src_ip")].Length));   // BLAKE2b-512 hex
    }

    [Fact]
    public void NoFlowsWriteAHeaderOnlyFile()
    {
        string csv = Path.Combine(dir, "empty.csv");
        Run("Get-NFFlow $sample -BpfFilter 'tcp port 9' | Export-NFFlowCsv -LiteralPath $csv", csv).AssertSuccess();
        Assert.Single(File.ReadAllLines(csv));
    }
}
