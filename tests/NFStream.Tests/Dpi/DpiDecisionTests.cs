using NFStream.Engine;
using NFStream.Engine.Flows;
using NFStream.Engine.Capture;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Dpi;

/// <summary>
/// Whether a run uses nDPI is decided once, by <see cref="FlowOptions.UsesDpi"/>, and the engine creates its own
/// classifiers (<see cref="FlowExtractor.Create"/>): the module only maps a load failure to its ErrorRecord.
/// </summary>
public sealed class DpiDecisionTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(255, true)]
    public void NDissectionsDecidesDpiAndTheLayer7Columns(int nDissections, bool dpi)
    {
        var options = new FlowOptions { NDissections = nDissections };

        Assert.Equal(dpi, options.UsesDpi);
        Assert.Equal(dpi, options.Columns.HasFlag(FlowColumnSet.Application));
    }

    private static List<NFlow> Run(FlowOptions options)
    {
        string path = RepositoryPaths.NewSampleCapture();
        var flows = new List<NFlow>();
        using var extractor = FlowExtractor.Create(options);
        using (var source = CaptureFile.Open(path))
            while (extractor.Pump(source, 4096))
                while (extractor.TryTakeFlow(out var flow)) flows.Add(flow);
        extractor.Finish();
        while (extractor.TryTakeFlow(out var flow)) flows.Add(flow);
        return flows;
    }

    [Fact]
    public void WithoutDissectionsTheEngineCreatesNoClassifier()
    {
        // With no shim loadable this still runs: FlowExtractor.Create never touches nDPI for NDissections 0.
        var flows = Run(new FlowOptions { NDissections = 0 });

        Assert.NotEmpty(flows);
        Assert.All(flows, f => Assert.Equal("", f.application_name));
    }

    [NdpiFact]
    public void WithDissectionsTheEngineClassifiesWithItsOwnNdpi()
    {
        foreach (int meters in new[] { 1, 2 })
        {
            var flows = Run(new FlowOptions { NDissections = 20, Meters = meters });

            Assert.NotEmpty(flows);
            Assert.All(flows, f => Assert.NotEqual("", f.application_name));
            Assert.Contains(flows, f => f.application_name != "Unknown");
        }
    }
}
