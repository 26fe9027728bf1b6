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
    [CorpusFact] public void DefaultEngineColumnsWithTwoMeters() => Check("default_meters2");
    [CorpusFact] public void Idle5Active30WithThreeMeters() => Check("idle5_active30_meters3");

    /// <summary>
    /// The default variant with nDPI on (-NDissections 20): every engine column stays exact, and the layer-7
    /// columns agree with NFStream's at least as well as NFStream's flow rules over nDPI 4.2 do (85% on
    /// application_name); the per-column figures go to out/conformance/default_dpi.txt.
    /// </summary>
    [CorpusFact]
    public void DefaultWithApplicationDetection()
    {
        Assert.True(NFStream.Engine.Dpi.FlowClassifierFactory.IsAvailable(out var reason), reason);
        var outcomes = Check("default_dpi");
        var variant = ReferenceVariant.Named("default_dpi");
        var agreement = new ApplicationAgreement();
        var outDir = Path.Combine(RepositoryPaths.Root, "out", "conformance", variant.Name);
        foreach (var outcome in outcomes)
        {
            var reference = Path.Combine(RepositoryPaths.Corpus!, "reference", variant.Folder, outcome.Capture + ".csv");
            agreement.Add(outcome.Capture, CsvTable.Read(reference), CsvTable.Read(Path.Combine(outDir, outcome.Capture + ".csv")));
        }
        string report = agreement.Report();
        output.WriteLine(report);
        File.AppendAllText(outDir + ".txt", report + Environment.NewLine);
        Assert.True(agreement.Ratio("application_name") >= 0.85, report);
    }

    private List<ConformanceRun.Outcome> Check(string variantName)
    {
        var variant = ReferenceVariant.Named(variantName);
        var outDir = Path.Combine(RepositoryPaths.Root, "out", "conformance", variant.Name);
        var outcomes = ConformanceRun.Run(fixture.Session, variant, RepositoryPaths.Corpus!, outDir);
        var report = ConformanceRun.Report(variant, outcomes);
        output.WriteLine(report);
        File.WriteAllText(outDir + ".txt", report + Environment.NewLine);
        var unexpected = outcomes.Where(o => o.FirstDifference is not null && !o.Deliberate).ToList();
        Assert.True(unexpected.Count == 0, report);
        return outcomes;
    }
}
