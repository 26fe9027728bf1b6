using System.Management.Automation;
using System.Xml.Linq;
using NFStream.Engine;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Module;

/// <summary>What PowerShell shows of a flow: the friendly time properties of the type data, and the format views.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class FlowOutputTests
{
    private static readonly string[] Friendly = { "duration", "start_time", "end_time" };
    private readonly PowerShellFixture fixture;
    private readonly string sample;

    public FlowOutputTests(PowerShellFixture fixture)
    {
        this.fixture = fixture;
        sample = RepositoryPaths.NewSampleCapture();
    }

    private List<PSObject> Flows(string options = "") =>
        fixture.Session.Run($"Get-NFFlow -LiteralPath $sample {options}", new Dictionary<string, object?> { ["sample"] = sample })
            .AssertSuccess().Output.ToList();

    [Fact]
    public void FriendlyPropertiesAreTimeSpanAndUtcDateTimeOffset()
    {
        var flows = Flows();
        Assert.Contains(flows, f => (ulong)f.Properties["bidirectional_duration_ms"].Value > 1000);
        foreach (var flow in flows)
        {
            var nflow = (NFlow)flow.BaseObject;
            var duration = Assert.IsType<TimeSpan>(flow.Properties["duration"].Value);
            Assert.Equal((double)nflow.bidirectional_duration_ms, duration.TotalMilliseconds);
            var start = Assert.IsType<DateTimeOffset>(flow.Properties["start_time"].Value);
            Assert.Equal(TimeSpan.Zero, start.Offset);
            Assert.Equal((long)nflow.bidirectional_first_seen_ms, start.ToUnixTimeMilliseconds());
            var end = Assert.IsType<DateTimeOffset>(flow.Properties["end_time"].Value);
            Assert.Equal((long)nflow.bidirectional_last_seen_ms, end.ToUnixTimeMilliseconds());
            Assert.Equal(duration, end - start);
        }
        // The sample starts at 2026-01-01T00:00:00Z.
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), ((DateTimeOffset)flows[0].Properties["start_time"].Value).Date);
    }

    [Fact]
    public void FriendlyPropertiesWorkInScriptsAndStayOutOfTheColumnList()
    {
        var result = fixture.Session.Run("""
            $flows = @(Get-NFFlow -LiteralPath $sample)
            @($flows | Where-Object { $_.duration -gt [TimeSpan]::FromSeconds(1) }).Count
            @($flows[0].PSObject.Properties | Where-Object Name -in 'duration', 'start_time', 'end_time').Count
            """, new Dictionary<string, object?> { ["sample"] = sample }).AssertSuccess();
        Assert.True((int)result.Output[0].BaseObject > 0);
        Assert.Equal(0, (int)result.Output[1].BaseObject);
    }

    [Fact]
    public void CsvHeaderIsNFStreamsColumnsOnly()
    {
        string csv = Path.Combine(RepositoryPaths.NewScratchDirectory(), "flows.csv");
        fixture.Session.Run("Get-NFFlow -LiteralPath $sample | Export-NFFlowCsv -LiteralPath $csv",
            new Dictionary<string, object?> { ["sample"] = sample, ["csv"] = csv }).AssertSuccess();
        var header = File.ReadLines(csv).First().Split(',');
        Assert.Equal(FlowColumns.For(new FlowOptions().Columns).Select(c => c.Name), header);
        Assert.DoesNotContain(header, h => Friendly.Contains(h));
    }

    private static List<XElement> FlowViews() =>
        XDocument.Load(Path.Combine(RepositoryPaths.Root, "out", "NFStream", "NFStream.format.ps1xml")).Descendants("View")
            .Where(v => v.Descendants("TypeName").Any(t => t.Value.Trim() == typeof(NFlow).FullName)).ToList();

    /// <summary>Every property the views name exists on a flow of the default options, friendly ones included.</summary>
    [Fact]
    public void ViewsNameRealProperties()
    {
        var views = FlowViews();
        var names = views.SelectMany(v => v.Descendants("PropertyName")).Select(e => e.Value.Trim()).Distinct().ToList();
        Assert.Contains("id", names);
        var flow = Flows()[0];
        Assert.All(names, name => Assert.True(flow.Properties[name] is not null, $"the view names '{name}', which a flow does not have"));
        Assert.Single(views, v => v.Element("TableControl") is not null);
        Assert.Single(views, v => v.Element("ListControl") is not null);
    }

    /// <summary>The table view's fixed columns leave room for the application in a 120-column terminal.</summary>
    [Fact]
    public void TableViewFitsIn120Columns()
    {
        var headers = FlowViews().Single(v => v.Element("TableControl") is not null).Descendants("TableColumnHeader").ToList();
        int fixedWidth = headers.Sum(h => int.TryParse(h.Element("Width")?.Value, out int w) ? w : 0);
        int separators = headers.Count - 1;
        Assert.True(fixedWidth + separators <= 120 - 20, $"fixed columns take {fixedWidth + separators} of 120");
    }
}
