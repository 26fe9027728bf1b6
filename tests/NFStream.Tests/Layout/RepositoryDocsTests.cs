using System.Text.RegularExpressions;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Layout;

/// <summary>
/// What a newcomer needs in the repository itself: the NFStream semantics that code comments cite, resolvable
/// (every docs citation of a file and section in the sources names a heading there), the architecture page, the license the
/// manifest declares, and the SDK pin and coding conventions.
/// </summary>
public sealed class RepositoryDocsTests
{
    private static string Root => RepositoryPaths.Root;

    private static IEnumerable<string> Sources() =>
        new[] { "src", "tests", "bench" }.SelectMany(d =>
                Directory.EnumerateFiles(Path.Combine(Root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));

    /// <summary>GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens.</summary>
    private static HashSet<string> Anchors(string markdown) =>
        Regex.Matches(File.ReadAllText(markdown), @"^#{1,6}\s+(.+?)\s*$", RegexOptions.Multiline)
            .Select(m => Regex.Replace(m.Groups[1].Value.ToLowerInvariant(), @"[^\p{L}\p{Nd}\- ]", "").Replace(' ', '-'))
            .ToHashSet();

    [Fact]
    public void EveryDocsCitationInTheSourcesResolves()
    {
        var cited = Sources()
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), @"docs/([\w.-]+\.md)#([\w-]+)")
                .Select(m => (File: Path.GetFileName(f), Doc: m.Groups[1].Value, Anchor: m.Groups[2].Value)))
            .ToList();
        Assert.True(cited.Count >= 5, "the decoder and the engine cite docs/ sections");
        var broken = cited.Where(c =>
        {
            string doc = Path.Combine(Root, "docs", c.Doc);
            return !File.Exists(doc) || !Anchors(doc).Contains(c.Anchor);
        }).Select(c => $"{c.File}: docs/{c.Doc}#{c.Anchor}").Distinct().ToList();
        Assert.True(broken.Count == 0, "Citations with no such section: " + string.Join(", ", broken));
    }

    [Fact]
    public void NoSourceCitesADocumentOutsideTheRepository()
    {
        string outside = "nfstream-" + "spec";   // split, so that this file does not name it
        var offenders = Sources().Where(f => File.ReadAllText(f).Contains(outside, StringComparison.OrdinalIgnoreCase))
            .Select(Path.GetFileName).ToList();
        Assert.True(offenders.Count == 0, "Cite docs/nfstream-semantics.md instead: " + string.Join(", ", offenders));
    }

    [Fact]
    public void TheArchitecturePageLinksOnlyToSectionsThatExist()
    {
        string architecture = Path.Combine(Root, "docs", "ARCHITECTURE.md");
        var semantics = Anchors(Path.Combine(Root, "docs", "nfstream-semantics.md"));
        var links = Regex.Matches(File.ReadAllText(architecture), @"nfstream-semantics\.md#([\w-]+)")
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.True(links.Count >= 8);
        Assert.All(links, a => Assert.Contains(a, semantics));
        // Every code path the page names exists (relative to the engine, the module, or the repository).
        var paths = Regex.Matches(File.ReadAllText(architecture), @"`((?:[\w.]+/)+[\w.]+\.(?:cs|c|md|json|psm1|ps1))`")
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(paths);
        Assert.All(paths, p => Assert.True(
            new[] { Root, Path.Combine(Root, "src", "NFStream.Engine"), Path.Combine(Root, "src", "NFStream") }
                .Any(b => File.Exists(Path.Combine(b, p))), $"ARCHITECTURE.md names {p}, which does not exist"));
    }

    [Fact]
    public void TheLicenseIsTheOneTheManifestDeclares()
    {
        string manifest = File.ReadAllText(Path.Combine(Root, "NFStream.psd1"));
        Assert.Contains("lgpl-3.0", manifest);
        string license = File.ReadAllText(Path.Combine(Root, "LICENSE"));
        Assert.Contains("GNU LESSER GENERAL PUBLIC LICENSE", license);
        Assert.Contains("Version 3, 29 June 2007", license);
        // The LGPL-3.0 is a set of permissions on top of the GPL-3.0, which must ship with it.
        Assert.Contains("GNU GENERAL PUBLIC LICENSE", File.ReadAllText(Path.Combine(Root, "COPYING")));
    }

    [Fact]
    public void TheSdkIsPinnedAndConventionsAreWritten()
    {
        string globalJson = File.ReadAllText(Path.Combine(Root, "global.json"));
        Assert.Matches(@"""version""\s*:\s*""10\.0\.\d+""", globalJson);
        Assert.Matches(@"""rollForward""\s*:\s*""latestFeature""", globalJson);
        string editorconfig = File.ReadAllText(Path.Combine(Root, ".editorconfig"));
        Assert.Contains("root = true", editorconfig);
        Assert.Contains("[*.cs]", editorconfig);
    }
}
