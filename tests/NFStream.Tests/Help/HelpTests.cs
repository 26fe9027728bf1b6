using System.Management.Automation;
using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;
using Xunit.Abstractions;

namespace NFStream.Tests.Help;

/// <summary>
/// The help that Get-Help shows, for every exported cmdlet: each parameter described, at least two examples,
/// and every example runs without error (in a scratch folder with the project's sample capture).
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class HelpTests
{
    private readonly PowerShellSession ps;
    private readonly ITestOutputHelper output;

    public HelpTests(PowerShellFixture fixture, ITestOutputHelper output)
    {
        ps = fixture.Session;
        this.output = output;
    }

    public static IEnumerable<object[]> ExportedCmdlets()
    {
        // The manifest is the list users get; the test fails when a cmdlet is added without help.
        string manifest = File.ReadAllText(RepositoryPaths.ModuleManifest);
        int start = manifest.IndexOf("CmdletsToExport", StringComparison.Ordinal);
        string list = manifest[start..manifest.IndexOf(')', start)];
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(list, "'([A-Za-z]+-[A-Za-z]+)'"))
            yield return new object[] { m.Groups[1].Value };
    }

    [Theory]
    [MemberData(nameof(ExportedCmdlets))]
    public void EveryParameterIsDescribedAndThereAreExamples(string cmdlet)
    {
        var result = ps.Run("""
            $help = Get-Help $name -Full
            $help.Synopsis
            foreach ($p in $help.parameters.parameter) { '{0}={1}' -f $p.name, (($p.description | ForEach-Object { $_.Text }) -join ' ') }
            '#examples=' + @($help.examples.example).Count
            $command = Get-Command $name
            foreach ($p in $command.Parameters.Keys) { 'declared=' + $p }
            """, new Dictionary<string, object?> { ["name"] = cmdlet }).AssertSuccess();
        var lines = result.Output.Select(o => o.ToString()).ToList();
        Assert.False(string.IsNullOrWhiteSpace(lines[0]) || lines[0].StartsWith(cmdlet, StringComparison.Ordinal), $"{cmdlet} has no synopsis");
        var described = lines.Where(l => l.Contains('=') && !l.StartsWith('#') && !l.StartsWith("declared=", StringComparison.Ordinal))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var common = new HashSet<string>(System.Management.Automation.Cmdlet.CommonParameters.Concat(System.Management.Automation.Cmdlet.OptionalCommonParameters));
        foreach (string declared in lines.Where(l => l.StartsWith("declared=", StringComparison.Ordinal)).Select(l => l[9..]).Where(p => !common.Contains(p)))
        {
            Assert.True(described.TryGetValue(declared, out var text) && text.Trim().Length > 10, $"{cmdlet} -{declared} is not described");
        }
        Assert.True(int.Parse(lines.Single(l => l.StartsWith("#examples=", StringComparison.Ordinal))[10..]) >= 2, $"{cmdlet} has fewer than two examples");
    }

    [Theory]
    [MemberData(nameof(ExportedCmdlets))]
    public void EveryExampleRuns(string cmdlet)
    {
        if (cmdlet == "Start-NFCapture" && Environment.UserName != "root")
        {
            output.WriteLine("Start-NFCapture's examples capture on lo and need root: not run.");
            return;
        }
        var examples = ps.Run("(Get-Help $name).examples.example | ForEach-Object { $_.code }",
            new Dictionary<string, object?> { ["name"] = cmdlet }).AssertSuccess().Output.Select(o => o.ToString()).ToList();
        Assert.NotEmpty(examples);
        string dir = RepositoryPaths.NewScratchDirectory();
        SampleCapture.Write(Path.Combine(dir, "sample.pcap"));
        foreach (string code in examples)
        {
            var result = ps.Run("$ExecutionContext.SessionState.Path.SetLocation($dir) | Out-Null\n" + code,
                new Dictionary<string, object?> { ["dir"] = dir });
            output.WriteLine($"{cmdlet} example:\n{code}\n-> {result.Output.Count} objects");
            Assert.True(result.Terminating is null && result.Errors.Count == 0,
                $"{cmdlet} example failed:\n{code}\n{result.Terminating?.Message}{string.Join("\n", result.Errors.Select(e => e.ToString()))}");
        }
    }

    [Theory]
    [InlineData("about_NFStream", "expiration_id")]
    [InlineData("about_NFStream_Plugins", "udps")]
    public void AboutTopicsAreFound(string topic, string mentions)
    {
        var text = string.Join("\n", ps.Run("Get-Help $topic", new Dictionary<string, object?> { ["topic"] = topic })
            .AssertSuccess().Output.Select(o => o.ToString()));
        Assert.Contains(mentions, text);
        Assert.True(text.Length > 2000, $"{topic} is too short ({text.Length} characters)");
    }
}
