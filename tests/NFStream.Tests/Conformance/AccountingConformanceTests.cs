using NFStream.Tests.Hosting;
using Xunit.Abstractions;

namespace NFStream.Tests.Conformance;

/// <summary>On every corpus capture: packets read = packets in emitted flows + packets ignored (with a reason).</summary>
[Collection(PowerShellCollection.Name)]
public sealed class AccountingConformanceTests
{
    private readonly PowerShellFixture fixture;
    private readonly ITestOutputHelper output;

    public AccountingConformanceTests(PowerShellFixture fixture, ITestOutputHelper output)
    {
        this.fixture = fixture;
        this.output = output;
    }

    [CorpusFact]
    public void EveryPacketIsInOneFlowOrIgnored()
    {
        var pcaps = RepositoryPaths.CorpusCaptures();
        var result = fixture.Session.Run("""
            foreach ($p in $pcaps) {
                $inFlows = 0
                Get-NFFlow -LiteralPath $p -NDissections 0 -StatisticsVariable st | ForEach-Object { $inFlows += $_.bidirectional_packets }
                [pscustomobject]@{ Capture = [IO.Path]::GetFileName($p); Read = $st.PacketsRead; InFlows = $inFlows; Ignored = $st.PacketsIgnored; Metered = $st.PacketsMetered }
            }
            """, new Dictionary<string, object?> { ["pcaps"] = pcaps }).AssertSuccess();
        Assert.Equal(pcaps.Length, result.Output.Count);
        var broken = new List<string>();
        long read = 0, ignored = 0;
        foreach (var row in result.Output)
        {
            long r = Convert.ToInt64(row.Properties["Read"].Value), f = Convert.ToInt64(row.Properties["InFlows"].Value),
                i = Convert.ToInt64(row.Properties["Ignored"].Value), m = Convert.ToInt64(row.Properties["Metered"].Value);
            read += r;
            ignored += i;
            if (r != f + i || m != f) broken.Add($"{row.Properties["Capture"].Value}: read {r}, in flows {f}, ignored {i}");
        }
        output.WriteLine($"accounting: {pcaps.Length - broken.Count}/{pcaps.Length} captures balance ({read} packets read, {ignored} ignored)");
        Assert.Empty(broken);
    }
}
