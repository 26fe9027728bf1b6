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

    /// <summary>The shim is there; under CI (CI=true) a missing shim fails instead of fuzzing without nDPI.</summary>
    private static bool DpiAvailable()
    {
        if (NFStream.Engine.Dpi.FlowClassifierFactory.IsAvailable(out string? reason)) return true;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException("nDPI shim unavailable under CI, so nDPI would not be fuzzed: " + reason);
        return false;
    }

    /// <summary>
    /// Meters the file. Returns the number of flows; a CaptureFileException (the documented error) is caught
    /// and reported through <paramref name="error"/>. Any other exception escapes: that is a bug.
    /// </summary>
    public static long Run(string path, FlowOptions options, out CaptureFileException? error)
    {
        error = null;
        long flows = 0;
        bool dpi = options.UsesDpi && DpiAvailable();
        using var extractor = new FlowExtractor(options,
            dpi ? NFStream.Engine.Dpi.FlowClassifierFactory.Create(options.NDissections) : null);
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
            // nDPI classified every flow that it saw (at least "Unknown"), and its strings decode.
            if (dpi && (flow.application_name.Length == 0 || flow.application_category_name.Length == 0))
                throw new InvalidOperationException($"flow {flow.id} left nDPI without an application name");
            _ = flow.requested_server_name + flow.client_fingerprint + flow.server_fingerprint + flow.user_agent + flow.content_type;
        }
        var s = extractor.Statistics;
        if (s.PacketsRead != s.PacketsMetered + s.PacketsIgnored)
            throw new InvalidOperationException($"Accounting broken: read {s.PacketsRead}, metered {s.PacketsMetered}, ignored {s.PacketsIgnored}.");
        return flows;
    }
}
