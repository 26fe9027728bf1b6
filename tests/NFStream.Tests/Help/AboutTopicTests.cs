using System.Text.RegularExpressions;
using NFStream.Engine;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Help;

/// <summary>The about topics are found by Get-Help; about_NFStream covers what the issue lists, every column included.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class AboutTopicTests
{
    private readonly PowerShellFixture fixture;

    public AboutTopicTests(PowerShellFixture fixture) => this.fixture = fixture;

    private string Topic() =>
        string.Join("\n", fixture.Session.Run("Get-Help about_NFStream").AssertSuccess().Output.Select(o => o.ToString()));

    [Fact]
    public void GetHelpShowsTheTopicWithItsSections()
    {
        string text = Topic();
        foreach (var section in new[] { "FLOWS", "DIRECTIONS", "TIMEOUTS AND EXPIRATION_ID", "ACCOUNTING MODES", "COLUMN REFERENCE",
                     "FRIENDLY PROPERTIES", "DIFFERENCES FROM NFSTREAM" })
            Assert.Matches(new Regex($@"^\s*{section}\s*$", RegexOptions.Multiline), text);
        foreach (var mode in new[] { "LinkLayer (0)", "IP (1)", "Transport (2)", "Payload (3)" }) Assert.Contains(mode, text);
        foreach (var expiration in new[] { "0   idle timeout", "1   active timeout", "-1  a plugin" }) Assert.Contains(expiration, text);
    }

    [Theory]
    [InlineData("about_NFStream", "expiration_id")]
    [InlineData("about_NFStream_Plugins", "udps")]
    public void AboutTopicsAreFound(string topic, string mentions)
    {
        var text = string.Join("\n", fixture.Session.Run("Get-Help $topic", new Dictionary<string, object?> { ["topic"] = topic })
            .AssertSuccess().Output.Select(o => o.ToString()));
        Assert.Contains(mentions, text);
        Assert.True(text.Length > 2000, $"{topic} is too short ({text.Length} characters)");
    }

    /// <summary>
    /// Every NFStream column is in the column reference: by its name, or for the per-direction columns by the
    /// pattern the reference uses (*_min_ps, or the {bidirectional,src2dst,dst2src}_... line).
    /// </summary>
    [Fact]
    public void ColumnReferenceCoversEveryColumn()
    {
        string text = Topic();
        int start = text.IndexOf("COLUMN REFERENCE", StringComparison.Ordinal);
        int end = text.IndexOf("FRIENDLY PROPERTIES", start, StringComparison.Ordinal);
        string reference = text[start..end];
        var missing = new List<string>();
        foreach (var column in FlowColumns.All)
        {
            string name = column.Name;
            if (Regex.IsMatch(reference, $@"\b{Regex.Escape(name)}\b")) continue;
            var direction = Regex.Match(name, "^(bidirectional|src2dst|dst2src)(?<suffix>_.+)$");
            if (direction.Success)
            {
                string suffix = direction.Groups["suffix"].Value;
                if (reference.Contains("*" + suffix, StringComparison.Ordinal)) continue;
                if (Regex.IsMatch(reference, $@"\{{bidirectional,src2dst,dst2src\}}[^\n]*(^|[\s,]){Regex.Escape(suffix)}\b", RegexOptions.Multiline)) continue;
            }
            missing.Add(name);
        }
        Assert.True(missing.Count == 0, "Columns missing from about_NFStream's column reference: " + string.Join(", ", missing));
    }
}
