using NFStream.Engine.Samples;
using NFStream.Tests.Conformance;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Cmdlets;

/// <summary>The manifest passes Test-ModuleManifest and says what the issue asks; the type data's friendly properties.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class ModuleManifestTests
{
    private readonly PowerShellSession ps;

    public ModuleManifestTests(PowerShellFixture fixture) => ps = fixture.Session;

    [Fact]
    public void TheManifestIsValidAndComplete()
    {
        var info = Assert.Single(ps.Run("Test-ModuleManifest -Path $m", new Dictionary<string, object?> { ["m"] = RepositoryPaths.ModuleManifest })
            .AssertSuccess().Output);
        Assert.Equal("NFStream", info.Properties["Name"].Value);
        Assert.Equal(new Version(7, 4), info.Properties["PowerShellVersion"].Value);
        Assert.Contains("Core", (IEnumerable<string>)info.Properties["CompatiblePSEditions"].Value);
        Assert.False(string.IsNullOrEmpty((string)info.Properties["Author"].Value));
        Assert.False(string.IsNullOrEmpty((string)info.Properties["Description"].Value));
        var cmdlets = ((System.Collections.IDictionary)info.Properties["ExportedCmdlets"].Value).Keys.Cast<string>().ToHashSet();
        Assert.Superset(new HashSet<string> { "Get-NFFlow", "Export-NFFlowCsv", "New-NFSampleCapture", "New-NFPlugin", "Start-NFCapture", "Get-NFInterface" }, cmdlets);
        Assert.NotNull(info.Properties["ProjectUri"].Value);
        Assert.NotNull(info.Properties["LicenseUri"].Value);
        Assert.NotEmpty((IEnumerable<string>)info.Properties["Tags"].Value);
    }

    private static object Base(object value) => System.Management.Automation.PSObject.AsPSObject(value).BaseObject;

    [Fact]
    public void FriendlyPropertiesDoNotChangeTheColumnsOrTheCsv()
    {
        string dir = RepositoryPaths.NewScratchDirectory();
        string sample = Path.Combine(dir, "s.pcap"), csv = Path.Combine(dir, "s.csv");
        SampleCapture.Write(sample);
        var flow = ps.Run("$f = Get-NFFlow $s -MaxFlows 1 -NDissections 0; $f | Export-NFFlowCsv -LiteralPath $c; $f",
            new Dictionary<string, object?> { ["s"] = sample, ["c"] = csv }).AssertSuccess().Output.Single();
        Assert.Equal(TimeSpan.FromMilliseconds(Convert.ToDouble(flow.Properties["bidirectional_duration_ms"].Value)), Base(flow.Properties["duration"].Value));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(flow.Properties["bidirectional_first_seen_ms"].Value)), Base(flow.Properties["start_time"].Value));
        var header = CsvTable.Read(csv).Header;
        Assert.DoesNotContain("duration", header);
        Assert.DoesNotContain("start_time", header);
    }
}
