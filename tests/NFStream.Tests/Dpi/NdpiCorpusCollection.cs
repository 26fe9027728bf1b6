namespace NFStream.Tests.Dpi;

/// <summary>
/// The corpus-wide nDPI tests allocate a few hundred MiB; they run alone, after the parallel tests, so that they
/// do not disturb tests that measure the process's allocations (the capture fuzz test).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NdpiCorpusCollection
{
    public const string Name = "nDPI corpus";
}
