using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Help;

/// <summary>The help builder (run by the build) writes MAML for every cmdlet, and refuses help with a gap.</summary>
public sealed class HelpBuilderTests
{
    private static readonly string Builder = Path.Combine(RepositoryPaths.Root, "src", "NFStream.HelpBuilder", "bin",
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release",
        "net10.0", "NFStream.HelpBuilder.dll");

    private static (int ExitCode, string Output) Run(string sources, string output)
    {
        Assert.True(File.Exists(Builder), $"{Builder} is missing: build the solution first.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Builder, "--module", RepositoryPaths.ModuleManifest, "--source", sources, "--output", output, "--strict" })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000));
        return (process.ExitCode, stdout + stderr.GetAwaiter().GetResult());
    }

    private static string CopySources()
    {
        string dir = RepositoryPaths.NewScratchDirectory();
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "en-US", "cmdlets"), "*.md"))
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        return dir;
    }

    [Fact]
    public void WritesOneCommandPerExportedCmdlet()
    {
        string output = Path.Combine(RepositoryPaths.NewScratchDirectory(), "help.xml");
        var (exitCode, text) = Run(CopySources(), output);
        Assert.True(exitCode == 0, text);
        XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        var names = XDocument.Load(output).Descendants(command + "details").Select(d => d.Element(command + "name")!.Value).ToList();
        var manifest = File.ReadAllText(RepositoryPaths.ModuleManifest);
        int start = manifest.IndexOf("CmdletsToExport", StringComparison.Ordinal);
        var exported = Regex.Matches(manifest[start..manifest.IndexOf(')', start)], @"'(\w+-\w+)'")
            .Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(exported.Order(), names.Order());
    }

    [Fact]
    public void AnUndescribedParameterFailsAndIsNamed()
    {
        string sources = CopySources();
        string file = Path.Combine(sources, "Get-NFFlow.md");
        string markdown = File.ReadAllText(file);
        File.WriteAllText(file, Regex.Replace(markdown, @"### -Continuous\n.*?(?=### -)", "", RegexOptions.Singleline));
        string output = Path.Combine(RepositoryPaths.NewScratchDirectory(), "help.xml");
        var (exitCode, text) = Run(sources, output);
        Assert.Equal(1, exitCode);
        Assert.Contains("error NFH002: parameter -Continuous is not described", text);
        Assert.False(File.Exists(output), "no help file is written when help has gaps");
    }

    [Fact]
    public void AMissingCmdletFileFails()
    {
        string sources = CopySources();
        File.Delete(Path.Combine(sources, "New-NFPlugin.md"));
        var (exitCode, text) = Run(sources, Path.Combine(RepositoryPaths.NewScratchDirectory(), "help.xml"));
        Assert.Equal(1, exitCode);
        Assert.Contains("error NFH001: New-NFPlugin has no help source", text);
    }
}
