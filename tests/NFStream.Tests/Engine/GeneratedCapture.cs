using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;
using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Engine;

/// <summary>Writes a capture with the engine's sample writers and meters it with the engine, as Get-NFFlow does.</summary>
public static class GeneratedCapture
{
    /// <summary>One second after the sample epoch, in nanoseconds.</summary>
    public const long T0 = SampleCapture.StartNanoseconds;

    public const long Second = 1_000_000_000, Millisecond = 1_000_000;

    public static string WritePcap(int linkType, Action<PcapWriter> write, bool bigEndian = false, bool nanoseconds = false)
    {
        string path = Path.Combine(RepositoryPaths.NewScratchDirectory(), "generated.pcap");
        using (var writer = PcapWriter.Create(path, linkType, bigEndian, nanoseconds)) write(writer);
        return path;
    }

    public static string WritePcapNg(Action<PcapNgWriter> write, bool bigEndian = false)
    {
        string path = Path.Combine(RepositoryPaths.NewScratchDirectory(), "generated.pcapng");
        using (var writer = PcapNgWriter.Create(path, bigEndian)) write(writer);
        return path;
    }

    public sealed record Result(List<NFlow> Flows, CaptureStatistics Statistics, CaptureFileException? Error);

    public static Result Meter(string path, FlowOptions? options = null)
    {
        options ??= new FlowOptions { NDissections = 0 };
        var flows = new List<NFlow>();
        CaptureFileException? error = null;
        using var extractor = new FlowExtractor(options);
        try
        {
            using var source = CaptureFile.Open(path);
            while (extractor.Pump(source, 4096))
                while (extractor.TryTakeFlow(out var flow)) flows.Add(flow);
        }
        catch (CaptureFileException e)
        {
            error = e;
        }
        while (extractor.TryTakeFlow(out var flow)) flows.Add(flow);
        extractor.Finish();
        while (extractor.TryTakeFlow(out var flow)) flows.Add(flow);
        return new Result(flows, extractor.Statistics, error);
    }
}
