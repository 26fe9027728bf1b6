using NFStream.Tests.Hosting;
using Xunit.Abstractions;

namespace NFStream.Tests.Conformance;

/// <summary>Every corpus capture, every reference variant: our engine columns equal NFStream 6.5.4's.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class EngineConformanceTests
{
    private readonly PowerShellFixture fixture;
    private readonly ITestOutputHelper output;

    public EngineConformanceTests(PowerShellFixture fixture, ITestOutputHelper output)
    {
        this.fixture = fixture;
        this.output = output;
    }

    [CorpusFact] public void NoDpiNoTunnel() => Check("nodpi_notunnel");
    [CorpusFact] public void AccountingModeIp() => Check("am1");
    [CorpusFact] public void AccountingModeTransport() => Check("am2");
    [CorpusFact] public void AccountingModePayload() => Check("am3");
    [CorpusFact] public void Idle5Active30() => Check("idle5_active30");
    [CorpusFact] public void DefaultEngineColumns() => Check("default");

    private void Check(string variantName)
    {
        var variant = ReferenceVariant.Named(variantName);
        var outDir = Path.Combine(RepositoryPaths.Root, "out", "conformance", variant.Name);
        var outcomes = ConformanceRun.Run(fixture.Session, variant, RepositoryPaths.Corpus!, outDir);
        var report = ConformanceRun.Report(variant, outcomes);
        output.WriteLine(report);
        File.WriteAllText(outDir + ".txt", report + Environment.NewLine);
        var unexpected = outcomes.Where(o => o.FirstDifference is not null && !o.Deliberate).ToList();
        Assert.True(unexpected.Count == 0, report);
    }
}
