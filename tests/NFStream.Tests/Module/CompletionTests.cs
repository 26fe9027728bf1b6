using NFStream.Tests.Hosting;

namespace NFStream.Tests.Module;

/// <summary>Tab completion as a user gets it (TabExpansion2, what pwsh's Tab key calls).</summary>
[Collection(PowerShellCollection.Name)]
public sealed class CompletionTests
{
    private readonly PowerShellFixture fixture;

    public CompletionTests(PowerShellFixture fixture) => this.fixture = fixture;

    private List<string> Complete(string line) => fixture.Session
        .Run("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText",
            new Dictionary<string, object?> { ["line"] = line })
        .AssertSuccess().Output.Select(o => o.ToString()).ToList();

    [Fact]
    public void AnonymizeColumnCompletesNFStreamColumnNames()
    {
        var matches = Complete("Export-NFFlowCsv -Path x.csv -AnonymizeColumn src_");
        Assert.Equal(new[] { "src_ip", "src_mac", "src_oui", "src_port" }, matches.OrderBy(m => m));
        Assert.Contains("dst_ip", Complete("Export-NFFlowCsv -Path x.csv -AnonymizeColumn src_ip, dst_i"));
    }

    [Fact]
    public void AccountingModeCompletesItsValues()
    {
        Assert.Equal(new[] { "IP" }, Complete("Get-NFFlow x.pcap -AccountingMode I"));
    }
}
