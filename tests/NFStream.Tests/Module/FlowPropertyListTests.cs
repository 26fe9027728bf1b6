using NFStream.Engine;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Module;

/// <summary>
/// A flow's PowerShell property list ($flow.PSObject.Properties, what Select-Object *, Export-Csv and ConvertTo-Json
/// read) is exactly the columns of the options it was metered with, in NFStream's order, plus udps when a plugin
/// stored values: no column of an analysis that was not asked for, and none of NFlow's other members.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class FlowPropertyListTests
{
    private readonly PowerShellSession ps;
    private readonly string sample;

    public FlowPropertyListTests(PowerShellFixture fixture)
    {
        ps = fixture.Session;
        sample = RepositoryPaths.NewSampleCapture(rounds: 1);
    }

    private ScriptResult Run(string script) =>
        ps.Run(script, new Dictionary<string, object?> { ["sample"] = sample }).AssertSuccess();

    public static IEnumerable<object[]> Options() => new[]
    {
        new object[] { "", false, 0 },
        new object[] { "-StatisticalAnalysis -SpltAnalysis 5", true, 5 },
    };

    private static string Expected(bool statistics, int splt, bool udps = false) =>
        string.Join(",", FlowColumns.For(new FlowOptions { StatisticalAnalysis = statistics, SpltAnalysis = splt }.Columns)
            .Select(c => c.Name).Concat(udps ? new[] { "udps" } : Array.Empty<string>()));

    /// <summary>Each flow's property names, joined with commas, one line a flow.</summary>
    private string[] PropertyLists(string options) =>
        Run($"Get-NFFlow -LiteralPath $sample {options} | ForEach-Object {{ $_.PSObject.Properties.Name -join ',' }}")
            .Output.Select(o => o.ToString()).ToArray();

    [Theory]
    [MemberData(nameof(Options))]
    public void PropertiesAreExactlyTheFlowsColumnsInNFStreamsOrder(string options, bool statistics, int splt)
    {
        var lists = PropertyLists(options);
        Assert.NotEmpty(lists);
        Assert.All(lists, list => Assert.Equal(Expected(statistics, splt), list));
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void PluginValuesAddUdpsLast(string options, bool statistics, int splt)
    {
        var lists = PropertyLists(options + " -Plugin @{ Name = 'p'; OnInit = { param($packet, $flow) $flow.udps.seen = 1 } }");
        Assert.NotEmpty(lists);
        Assert.All(lists, list => Assert.Equal(Expected(statistics, splt, udps: true), list));
    }

    [Fact]
    public void AbsentColumnsAndOtherMembersAreNotProperties()
    {
        var result = Run("""
            $flow = @(Get-NFFlow -LiteralPath $sample)[0]
            foreach ($name in 'bidirectional_min_ps', 'dst2src_fin_packets', 'splt_ps', 'Columns', 'HasUserValues') {
                $null -eq $flow.PSObject.Properties[$name]
            }
            $null -ne $flow.PSObject.Properties['bidirectional_packets']
            """);
        // udps is left out of the list until a plugin stores a value, but stays reachable by name, so that a plugin's
        // first $flow.udps.name = value works.
        Assert.Equal(6, result.Output.Count);
        Assert.All(result.Output, o => Assert.True((bool)o.BaseObject));
    }

    /// <summary>Reading, filtering, sorting and setting by column name still go through the adapter.</summary>
    [Fact]
    public void ColumnsStillReadFilterAndSetByName()
    {
        var result = Run("""
            $flows = @(Get-NFFlow -LiteralPath $sample -StatisticalAnalysis)
            @($flows | Where-Object bidirectional_packets -gt 10).Count
            @($flows | Where-Object { $_.bidirectional_packets -gt 10 }).Count
            $flows[0].src_ip
            $flows[0].bidirectional_mean_ps
            $flows[0].expiration_id = -1
            $flows[0].expiration_id
            $flows[0].udps.Count
            """);
        var flows = Run("Get-NFFlow -LiteralPath $sample -StatisticalAnalysis").Output.Select(o => (NFlow)o.BaseObject).ToList();
        int big = flows.Count(f => f.bidirectional_packets > 10);
        Assert.True(big > 0);
        Assert.Equal(big, (int)result.Output[0].BaseObject);
        Assert.Equal(big, (int)result.Output[1].BaseObject);
        Assert.Equal(flows[0].src_ip, result.Output[2].BaseObject);
        Assert.Equal(flows[0].bidirectional_mean_ps, result.Output[3].BaseObject);
        Assert.Equal(-1L, Convert.ToInt64(result.Output[4].BaseObject));
        Assert.Equal(0, Convert.ToInt32(result.Output[5].BaseObject));
    }
}
