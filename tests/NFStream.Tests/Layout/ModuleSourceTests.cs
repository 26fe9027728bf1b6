using System.Text.RegularExpressions;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Layout;

/// <summary>
/// Rules on the module's source that keep one copy of each thing: user help lives only in en-US/cmdlets (the
/// help builder reads it; code comments on cmdlets and parameters would be a second, drifting copy), and every
/// ErrorRecord is built in Hosting/Errors.cs.
/// </summary>
public sealed class ModuleSourceTests
{
    private static string ModuleSource => Path.Combine(RepositoryPaths.Root, "src", "NFStream");

    private static IEnumerable<string> SourceFiles(string under) =>
        Directory.EnumerateFiles(under, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));

    [Fact]
    public void CmdletParametersCarryNoHelpTextInCode()
    {
        var offenders = new List<string>();
        foreach (string file in SourceFiles(Path.Combine(ModuleSource, "Commands")))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (!lines[i].TrimStart().StartsWith("[Parameter", StringComparison.Ordinal)) continue;
                int j = i - 1;
                while (j >= 0 && lines[j].TrimStart().StartsWith('[')) j--;
                if (j >= 0 && lines[j].TrimStart().StartsWith("///", StringComparison.Ordinal))
                    offenders.Add($"{Path.GetFileName(file)}:{j + 1}");
            }
        }
        Assert.True(offenders.Count == 0,
            "Parameter help belongs in en-US/cmdlets, not in doc comments: " + string.Join(", ", offenders));
    }

    [Fact]
    public void EachCmdletClassPointsToItsMarkdownHelp()
    {
        int cmdlets = 0;
        foreach (string file in SourceFiles(Path.Combine(ModuleSource, "Commands")))
        {
            string text = File.ReadAllText(file);
            var m = Regex.Match(text, @"\[Cmdlet\(Verbs\w+\.(\w+), ""(\w+)""");
            if (!m.Success) continue;
            cmdlets++;
            string name = $"{m.Groups[1].Value}-{m.Groups[2].Value}";
            string help = Path.Combine(RepositoryPaths.Root, "en-US", "cmdlets", name + ".md");
            Assert.True(File.Exists(help), $"{name} has no {help}");
            var summary = Regex.Match(text, @"((?:///[^\n]*\n)+)\[Cmdlet\(");
            Assert.True(summary.Success, $"{Path.GetFileName(file)} has no class comment");
            Assert.Contains($"en-US/cmdlets/{name}.md", summary.Groups[1].Value);
            Assert.True(summary.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 2,
                $"{name}'s class comment repeats help: keep it to a pointer");
        }
        // One cmdlet class per help page (pages starting with _ hold shared parameter text).
        int pages = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "en-US", "cmdlets"), "*.md")
            .Count(f => !Path.GetFileName(f).StartsWith('_'));
        Assert.Equal(pages, cmdlets);
    }

    [Fact]
    public void ErrorRecordsAreBuiltOnlyInErrors()
    {
        var offenders = SourceFiles(ModuleSource)
            .Where(f => Path.GetFileName(f) != "Errors.cs")
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"new\s+ErrorRecord\s*\(|ErrorRecord\s+\w+\s*=\s*new\s*\("))
            .Select(Path.GetFileName)
            .ToList();
        Assert.True(offenders.Count == 0, "ErrorRecords built outside Hosting/Errors.cs: " + string.Join(", ", offenders));
    }
}
