namespace NFStream.Tests.Reliability;

/// <summary>
/// Tests that read process-wide memory figures (the GC heap, nDPI's live flows and bytes). xunit runs this
/// collection alone, after the parallel ones, so that other tests' allocations do not blur the figures.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCollection
{
    public const string Name = "Memory (runs alone)";
}
