using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Dpi;
using NFStream.Engine.Flows;
using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Ipfix;

/// <summary>The flows of the generated sample capture, metered in the engine with the given options.</summary>
internal static class SampleFlows
{
    public static List<NFlow> Meter(FlowOptions options, int rounds = 4, int seed = 1)
    {
        string path = Path.Combine(RepositoryPaths.NewScratchDirectory(), "sample.pcap");
        SampleCapture.Write(path, SampleCaptureFormat.Pcap, seed, rounds);
        return MeterFile(path, options);
    }

    public static List<NFlow> MeterFile(string path, FlowOptions options)
    {
        var flows = new List<NFlow>();
        using var classifier = options.NDissections > 0 ? FlowClassifierFactory.Create(options.NDissections) : null;
        using var extractor = new FlowExtractor(options, classifier);
        using (var source = CaptureFile.Open(path))
        {
            bool more;
            do
            {
                more = extractor.Pump(source, 4096);
                while (extractor.TryTakeFlow(out var flow)) flows.Add(flow);
            } while (more);
        }
        extractor.Finish();
        while (extractor.TryTakeFlow(out var flow)) flows.Add(flow);
        return flows;
    }
}
