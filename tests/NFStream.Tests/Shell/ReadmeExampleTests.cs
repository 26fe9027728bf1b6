using System.Diagnostics;
using System.Text.RegularExpressions;
using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Shell;

/// <summary>
/// The README's examples run in the console host, as a user without pwsh runs them: every
/// <c>./out/nfstream -Command '...'</c> of its bash blocks, and every powershell block (the host has the module
/// imported already, so Import-Module lines are left out). They run in a folder that holds the captures the
/// README names: sample.pcap, capture.pcap, capture.pcapng and facebook.pcap, all the project's own sample.
/// Live-capture examples (Start-NFCapture: minutes long, on real interfaces, as root) are left to the live tests.
/// </summary>
public sealed partial class ReadmeExampleTests
{
    private static readonly string Host = Path.Combine(RepositoryPaths.Root, "out", "NFStream.Shell", "NFStream.Shell.dll");

    private static List<string> Commands()
    {
        var commands = new List<string>();
        string readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        foreach (Match block in FencedBlock().Matches(readme))
        {
            string language = block.Groups["lang"].Value, body = block.Groups["body"].Value;
            if (language == "bash")
            {
                foreach (Match command in HostCommand().Matches(body)) commands.Add(command.Groups["script"].Value);
            }
            else if (language == "powershell")
            {
                var lines = body.Split('\n').Where(l => !l.TrimStart().StartsWith("Import-Module", StringComparison.OrdinalIgnoreCase));
                commands.Add(string.Join("\n", lines));
            }
        }
        return commands;
    }

    [Fact]
    public void ReadmeExamplesRunInTheHost()
    {
        Assert.True(File.Exists(Host), $"{Host} is missing: build the solution first.");
        var commands = Commands();
        Assert.Contains(commands, c => c.Contains("Get-NFFlow", StringComparison.Ordinal));
        string dir = RepositoryPaths.NewScratchDirectory();
        SampleCapture.Write(Path.Combine(dir, "sample.pcap"));
        File.Copy(Path.Combine(dir, "sample.pcap"), Path.Combine(dir, "capture.pcap"));
        File.Copy(Path.Combine(dir, "sample.pcap"), Path.Combine(dir, "facebook.pcap"));
        SampleCapture.Write(Path.Combine(dir, "capture.pcapng"), SampleCaptureFormat.PcapNg);

        var failures = new List<string>();
        foreach (string command in commands.Where(c => !c.Contains("Start-NFCapture", StringComparison.OrdinalIgnoreCase)))
        {
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Host);
            start.ArgumentList.Add("-Command");
            start.ArgumentList.Add(command);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(120_000), $"'{command}' did not finish within 120 s");
            string errors = stderr.GetAwaiter().GetResult();
            if (process.ExitCode != 0)   // the host exits 1 when any error was written
                failures.Add($"{command}\n  exit {process.ExitCode}: {errors.Trim()}");
            else if (stdout.Trim().Length == 0 && !command.Contains("Export-NFFlowCsv", StringComparison.Ordinal))
                failures.Add($"{command}\n  printed nothing");
        }
        Assert.True(failures.Count == 0, "README examples that fail in out/nfstream:\n" + string.Join("\n", failures));
    }

    [GeneratedRegex(@"^```(?<lang>\w+)\n(?<body>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"\./out/nfstream -Command '(?<script>[^']*)'")]
    private static partial Regex HostCommand();
}
