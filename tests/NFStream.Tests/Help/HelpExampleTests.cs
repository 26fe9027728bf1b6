using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;
using Xunit.Abstractions;

namespace NFStream.Tests.Help;

/// <summary>
/// Runs every example of every exported cmdlet's help, as Get-Help shows it, in a fresh session whose current
/// folder is a scratch directory holding sample.pcap (the project's own sample capture). An example that writes
/// an error or throws fails the test. Start-NFCapture's examples capture on lo, so they run only as root (as CI does).
/// </summary>
public sealed class HelpExampleTests
{
    private readonly ITestOutputHelper output;

    public HelpExampleTests(ITestOutputHelper output) => this.output = output;

    public sealed record Example(string Command, string Title, string Code);

    private static List<Example> Examples()
    {
        using var session = new PowerShellSession();
        return session.Run("""
            foreach ($command in Get-Command -Module NFStream -CommandType Cmdlet) {
                foreach ($example in @((Get-Help $command.Name -Examples).examples.example)) {
                    if ($example) { [pscustomobject]@{ Command = $command.Name; Title = $example.title.Trim(' -'); Code = $example.code } }
                }
            }
            """).AssertSuccess().Output
            .Select(o => new Example(Text(o, "Command"), Text(o, "Title"), Text(o, "Code")))
            .ToList();
    }

    private static string Text(System.Management.Automation.PSObject o, string name) => o.Properties[name].Value?.ToString() ?? "";

    [Fact]
    public void EveryExampleRuns()
    {
        var examples = Examples();
        Assert.NotEmpty(examples);
        var failures = new List<string>();
        foreach (var example in examples)
        {
            if (example.Command == "Start-NFCapture" && Environment.UserName != "root")
            {
                output.WriteLine($"{example.Command} / {example.Title}: captures on lo, which needs root: not run.");
                continue;
            }
            string dir = RepositoryPaths.NewScratchDirectory();
            SampleCapture.Write(Path.Combine(dir, "sample.pcap"));
            using var session = new PowerShellSession();
            session.Run("$ExecutionContext.SessionState.Path.SetLocation($dir) | Out-Null",
                new Dictionary<string, object?> { ["dir"] = dir }).AssertSuccess();
            var result = session.Run(example.Code);
            string what = $"{example.Command} / {example.Title}";
            output.WriteLine($"{what}: {result.Output.Count} objects, {result.Errors.Count} errors");
            if (result.Terminating is not null) failures.Add($"{what}: {result.Terminating.Message}\n{example.Code}");
            foreach (var error in result.Errors) failures.Add($"{what}: {error}\n{example.Code}");
        }
        Assert.True(failures.Count == 0, "Examples that fail:\n" + string.Join("\n\n", failures));
    }
}
