using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;

namespace NFStream.Tests.Fuzzing;

/// <summary>Runs one (possibly mutated) capture through reader, decoder and meter, as Get-NFFlow does.</summary>
public static class FuzzRunner
{
    public static readonly FlowOptions[] OptionSets =
    {
        new() { NDissections = 0, StatisticalAnalysis = true, SpltAnalysis = 8 },
        new() { NDissections = 0, DecodeTunnels = false, IdleTimeoutSeconds = 1, ActiveTimeoutSeconds = 2, AccountingMode = AccountingMode.Payload },
        new() { NDissections = 20, SpltAnalysis = 4 },    // nDPI sees the mutated packets too (when the shim is built)
    };

    /// <summary>
    /// Meters the file. Returns the number of flows; a CaptureFileException (the documented error) is caught
    /// and reported through <paramref name="error"/>. Any other exception escapes: that is a bug.
    /// </summary>
    public static long Run(string path, FlowOptions options, out CaptureFileException? error)
    {
        error = null;
        long flows = 0;
        using var extractor = new FlowExtractor(options,
            options.NDissections > 0 && NFStream.Engine.Dpi.FlowClassifierFactory.IsAvailable(out _)
                ? NFStream.Engine.Dpi.FlowClassifierFactory.Create(options.NDissections)
                : null);
        try
        {
            using var source = CaptureFile.Open(path);
            try
            {
                while (extractor.Pump(source, 1024))
                    while (extractor.TryTakeFlow(out _)) flows++;
            }
            catch (CaptureFileException e)
            {
                error = e;
            }
        }
        catch (CaptureFileException e)
        {
            error = e;
        }
        extractor.Finish();
        while (extractor.TryTakeFlow(out var flow))
        {
            flows++;
            _ = flow.src_ip + flow.dst_ip; // the text forms must always be computable
        }
        var s = extractor.Statistics;
        if (s.PacketsRead != s.PacketsMetered + s.PacketsIgnored)
            throw new InvalidOperationException($"Accounting broken: read {s.PacketsRead}, metered {s.PacketsMetered}, ignored {s.PacketsIgnored}.");
        return flows;
    }
}
