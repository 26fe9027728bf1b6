namespace NFStream.Tests.Hosting;

/// <summary>Where the repository, the built module and the (optional) shared corpus are.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string ModuleManifest => Path.Combine(Root, "out", "NFStream", "NFStream.psd1");

    /// <summary>../shared/corpus beside the repository (or $NFSTREAM_CORPUS), or null when absent.</summary>
    public static string? Corpus
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("NFSTREAM_CORPUS");
            if (!string.IsNullOrEmpty(fromEnv) && Directory.Exists(fromEnv)) return fromEnv;
            var beside = Path.GetFullPath(Path.Combine(Root, "..", "shared", "corpus"));
            return Directory.Exists(Path.Combine(beside, "pcaps")) ? beside : null;
        }
    }

    /// <summary>Every capture of the corpus (<paramref name="corpus"/>, default <see cref="Corpus"/>), in ordinal name order.</summary>
    public static string[] CorpusCaptures(string? corpus = null) =>
        Directory.GetFiles(Path.Combine(corpus ?? Corpus!, "pcaps")).Order(StringComparer.Ordinal).ToArray();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NFStream.psd1"))) return dir.FullName;
        }
        throw new InvalidOperationException("Cannot find the repository root (NFStream.psd1) above " + AppContext.BaseDirectory);
    }

    /// <summary>The module's own sample capture (New-NFSampleCapture's traffic) in a fresh scratch directory.</summary>
    public static string NewSampleCapture(int rounds = 4)
    {
        string path = Path.Combine(NewScratchDirectory(), "sample.pcap");
        NFStream.Engine.Samples.SampleCapture.Write(path, rounds: rounds);
        return path;
    }

    /// <summary>A fresh scratch directory for one test.</summary>
    public static string NewScratchDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "nfstream-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}

/// <summary>A fact that runs only when the shared corpus is beside the repository, and says so when skipped.</summary>
public sealed class CorpusFactAttribute : FactAttribute
{
    public CorpusFactAttribute()
    {
        if (RepositoryPaths.Corpus is null)
            Skip = "Conformance skipped: ../shared/corpus is not beside the repository (set NFSTREAM_CORPUS to point at it).";
    }
}
