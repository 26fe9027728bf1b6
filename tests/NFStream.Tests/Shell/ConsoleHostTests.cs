using System.Diagnostics;
using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Shell;

/// <summary>The console host (out/nfstream) as a user runs it: as a separate process.</summary>
public sealed class ConsoleHostTests
{
    private static readonly string Host = Path.Combine(RepositoryPaths.Root, "out", "NFStream.Shell", "NFStream.Shell.dll");
    private readonly string dir = RepositoryPaths.NewScratchDirectory();

    private sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    private Outcome Run(params string[] arguments)
    {
        using var process = Start(arguments);
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the host did not finish within 120 s");
        return new Outcome(process.ExitCode, stdout, stderr.GetAwaiter().GetResult());
    }

    private Process Start(params string[] arguments)
    {
        Assert.True(File.Exists(Host), $"{Host} is missing: build the solution first.");
        // Through env --default-signal=INT: a test run started in the background inherits SIGINT ignored, which
        // a program keeps (POSIX); the interrupt test needs the host to get it as a user's Ctrl+C would.
        var start = new ProcessStartInfo("env") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Host);
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        return Process.Start(start)!;
    }

    [Fact]
    public void CommandRendersTheTableViewWithoutEscapeSequences()
    {
        var outcome = Run("-Command", "New-NFSampleCapture sample.pcap; Get-NFFlow sample.pcap");
        Assert.True(outcome.ExitCode == 0, outcome.Stderr);
        Assert.Contains("Application", outcome.Stdout);
        Assert.Contains("TLS.Google", outcome.Stdout);
        Assert.Contains("[2001:db8::10]:", outcome.Stdout);
        Assert.False(outcome.Stdout.Contains('\u001b'), "escape sequences in redirected output");
        Assert.All(outcome.Stdout.Split('\n'), line => Assert.True(line.TrimEnd().Length <= 120, line));
    }

    [Fact]
    public void FileGetsItsArgumentsAndExitSetsTheExitCode()
    {
        File.WriteAllText(Path.Combine(dir, "script.ps1"), "param($Name, $Count)\n\"hello $Name $Count\"\nexit 7\n");
        var outcome = Run("-File", "script.ps1", "world", "3");
        Assert.Equal(7, outcome.ExitCode);
        Assert.Equal("hello world 3", outcome.Stdout.Trim());
    }

    [Fact]
    public void ErrorsGoToStderrAndGiveExitCodeOne()
    {
        var outcome = Run("-Command", "Get-NFFlow missing.pcap");
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("Cannot find path", outcome.Stderr);
        Assert.Equal("", outcome.Stdout.Trim());
    }

    [Fact]
    public void AnErrorInsideAPipelineAlsoGivesExitCodeOne()
    {
        var outcome = Run("-Command", "1 | No-SuchCommand; 'after'");
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("No-SuchCommand", outcome.Stderr + outcome.Stdout);
    }

    [Fact]
    public void VerboseAndWarningsAreShown()
    {
        SampleCapture.Write(Path.Combine(dir, "s.pcap"));
        var outcome = Run("-Command", "Get-NFFlow s.pcap -NDissections 0 -SpltAnalysis 300 -Verbose | ForEach-Object { }");
        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("VERBOSE: ", outcome.Stderr);
        Assert.Contains("WARNING: ", outcome.Stderr);
    }

    [Fact]
    public void HelpAndBadOptions()
    {
        Assert.Contains("-Command", Run("-Help").Stdout);
        Assert.Equal(64, Run("-Bogus").ExitCode);
    }

    [Fact]
    public async Task InterruptStopsTheRunningPipeline()
    {
        SampleCapture.Write(Path.Combine(dir, "big.pcap"), rounds: 6000);
        using var process = Start("-Command", "Get-NFFlow big.pcap -StatisticalAnalysis | ForEach-Object { $_.id; for ($i = 0; $i -lt 3000; $i++) { } }");
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.NotNull(process.StandardOutput.ReadLine());     // the pipeline is running
        using (var kill = Process.Start("kill", $"-INT {process.Id}")) kill.WaitForExit();
        var rest = process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(15_000), "the host did not stop within 15 s of Ctrl+C");
        Assert.Equal(130, process.ExitCode);
        Assert.Contains("Stopped", await stderr);
        await rest;
    }
}
