using NFStream.Tests.Hosting;

namespace NFStream.Tests.Dpi;

/// <summary>A fact that needs both the corpus beside the repository and the nDPI shim (see <see cref="NdpiFactAttribute"/>).</summary>
public sealed class NdpiCorpusFactAttribute : FactAttribute
{
    public NdpiCorpusFactAttribute()
    {
        if (RepositoryPaths.Corpus is null)
            Skip = "Conformance skipped: ../shared/corpus is not beside the repository (set NFSTREAM_CORPUS to point at it).";
        else if (new NdpiFactAttribute().Skip is { } reason)
            Skip = reason;
    }
}
