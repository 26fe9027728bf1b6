using System.Management.Automation;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Meters;

/// <summary>Get-NFFlow -Meters: validation, identical output, and plugins forcing one meter.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class MetersParameterTests
{
    private readonly PowerShellSession ps;
    private readonly string sample;

    public MetersParameterTests(PowerShellFixture fixture)
    {
        ps = fixture.Session;
        sample = RepositoryPaths.NewSampleCapture(rounds: 12);
    }

    private ScriptResult Run(string script) => ps.Run(script, new Dictionary<string, object?> { ["sample"] = sample });

    private static string Line(PSObject flow) => string.Join(",",
        new[] { "id", "expiration_id", "src_ip", "src_port", "dst_ip", "dst_port", "protocol", "bidirectional_packets",
                "bidirectional_bytes", "bidirectional_last_seen_ms", "bidirectional_mean_ps" }
            .Select(name => Convert.ToString(flow.Properties[name].Value, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void TwoMetersAndAutoEmitTheFlowsOfOneMeterInTheSameOrder()
    {
        var one = Run("Get-NFFlow $sample -NDissections 0 -StatisticalAnalysis -Meters 1").AssertSuccess().Output.Select(Line).ToList();
        var two = Run("Get-NFFlow $sample -NDissections 0 -StatisticalAnalysis -Meters 2").AssertSuccess().Output.Select(Line).ToList();
        var auto = Run("Get-NFFlow $sample -NDissections 0 -StatisticalAnalysis -Meters 0").AssertSuccess().Output.Select(Line).ToList();
        Assert.True(one.Count > 50);
        Assert.Equal(one, two);
        Assert.Equal(one, auto);
    }

    [Fact]
    public void MaxFlowsWithTwoMetersGivesTheFirstFlowsOfOneMeter()
    {
        var one = Run("Get-NFFlow $sample -NDissections 0 -StatisticalAnalysis -Meters 1").AssertSuccess().Output.Select(Line).ToList();
        var two = Run("Get-NFFlow $sample -NDissections 0 -StatisticalAnalysis -Meters 2 -MaxFlows 10").AssertSuccess().Output.Select(Line).ToList();
        Assert.Equal(one.Take(10), two);
    }

    [Fact]
    public void ANegativeMeterCountIsRejected()
    {
        var result = Run("Get-NFFlow $sample -Meters -1");
        Assert.Empty(result.Output);
        string message = result.Terminating?.Message ?? Assert.Single(result.Errors).ToString();
        Assert.Contains("Meters", message);
    }

    [Fact]
    public void PluginsRunWithOneMeterAndSayWhy()
    {
        var result = Run("""
            $p = New-NFPlugin -Name n -OnInit { param($packet, $flow) $flow.udps.n = [Threading.Thread]::CurrentThread.ManagedThreadId }
            $pipelineThread = [Threading.Thread]::CurrentThread.ManagedThreadId
            Get-NFFlow $sample -NDissections 0 -Meters 2 -Plugin $p -Verbose | ForEach-Object { $_.udps.n -eq $pipelineThread }
            """).AssertSuccess();
        Assert.NotEmpty(result.Output);
        Assert.All(result.Output, o => Assert.True((bool)o.BaseObject));
        Assert.Contains(result.Verbose, v => v.Contains("one meter", StringComparison.Ordinal));
    }
}
