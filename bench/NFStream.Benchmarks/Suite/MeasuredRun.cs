using System.Diagnostics;
using System.Text.Json;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Decoding;
using NFStream.Engine.Dpi;
using NFStream.Engine.Flows;

namespace NFStream.Benchmarks.Suite;

/// <summary>What one measured run reports (one JSON line on stdout).</summary>
public sealed record RunFigures
{
    public long Packets { get; init; }
    public long FileBytes { get; init; }
    public long Flows { get; init; }
    /// <summary>The measured pass: the second in the process, with the code compiled and the heap grown.</summary>
    public double Seconds { get; init; }
    /// <summary>The first pass in a fresh process (compilation and heap growth included).</summary>
    public double FirstPassSeconds { get; init; }
    public double CpuSeconds { get; init; }
    public long PeakResidentBytes { get; init; }
    /// <summary>Flows held when the input ended (before the final flush).</summary>
    public long ActiveFlowsAtEnd { get; init; }
    /// <summary>Managed heap growth over the run's start, after a full collection, per flow held at the end.</summary>
    public double ManagedBytesPerActiveFlow { get; init; }
    /// <summary>Garbage collections during the pass (all generations) and the time the program was paused by them.</summary>
    public int Collections { get; init; }
    public double GcPauseSeconds { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this);

    public static RunFigures FromJson(string json) => JsonSerializer.Deserialize<RunFigures>(json)!;
}

/// <summary>
/// One in-process run, as the suite's child process: the plain read of the file (the limit), read plus
/// decode, or the engine with the given options. Timing covers opening the file to the last flow taken.
/// </summary>
public static class MeasuredRun
{
    private const int PacketsPerPump = 4096;

    private static int collectionsBefore;
    private static TimeSpan pauseBefore;

    public static RunFigures Run(string mode, string file, FlowOptions options, TextWriter? memoryLog = null,
        long memoryEveryBytes = 0)
    {
        collectionsBefore = GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2);
        pauseBefore = GC.GetTotalPauseDuration();
        long fileBytes = new FileInfo(file).Exists ? new FileInfo(file).Length : 0;
        return mode switch
        {
            "read" => Read(file, fileBytes),
            "decode" => Decode(file, fileBytes),
            "engine" => Engine(file, fileBytes, options, memoryLog, memoryEveryBytes),
            _ => throw new ArgumentException($"unknown mode '{mode}' (read, decode, engine)"),
        };
    }

    private static RunFigures Read(string file, long fileBytes)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long packets = 0, sum = 0;
        using (var source = CaptureFile.Open(file))
        {
            while (source.TryRead(out var record))
            {
                packets++;
                sum += record.Data.Length + (long)record.TimeMs;
            }
        }
        GC.KeepAlive(sum);
        return Finish(clock, cpu, packets, fileBytes, 0, 0, 0);
    }

    private static RunFigures Decode(string file, long fileBytes)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long packets = 0;
        ulong sum = 0;
        var decoder = new PacketDecoder(decodeTunnels: true);
        var parsed = new ParsedPacket();
        using (var source = CaptureFile.Open(file))
        {
            while (source.TryRead(out var record))
            {
                packets++;
                if (decoder.Decode(record.LinkType, record.Data, record.WireLength, record.TimeMs, ref parsed) == IgnoreReason.None)
                    sum += parsed.FanoutHash;
            }
        }
        GC.KeepAlive(sum);
        return Finish(clock, cpu, packets, fileBytes, 0, 0, 0);
    }

    private static RunFigures Engine(string file, long fileBytes, FlowOptions options, TextWriter? memoryLog, long memoryEveryBytes)
    {
        GC.Collect();
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long flows = 0, nextSample = memoryEveryBytes;
        Func<IFlowClassifier?>? dpi = options.NDissections > 0 ? () => FlowClassifierFactory.Create(options.NDissections) : null;
        using var extractor = new FlowExtractor(options, dpi);
        long activeAtEnd;
        double perFlow;
        using (var source = CaptureFile.Open(file))
        {
            while (extractor.Pump(source, PacketsPerPump))
            {
                while (extractor.TryTakeFlow(out _)) flows++;
                if (memoryEveryBytes > 0 && source.Position >= nextSample)
                {
                    nextSample += memoryEveryBytes;
                    memoryLog?.WriteLine($"{source.Position / 1e9:0.00} GB read: {ProcessMemory.Resident() / 1e6:0} MB resident, " +
                                         $"{GC.GetTotalMemory(false) / 1e6:0} MB managed, {extractor.ActiveFlows} flows held");
                }
            }
            while (extractor.TryTakeFlow(out _)) flows++;
            // Memory per held flow, outside the timing: a full collection before the final flush.
            clock.Stop();
            var cpuPaused = Process.GetCurrentProcess().TotalProcessorTime;
            activeAtEnd = extractor.ActiveFlows;
            long heap = GC.GetTotalMemory(forceFullCollection: true) - baseline;
            perFlow = activeAtEnd > 0 ? (double)heap / activeAtEnd : 0;
            cpu += Process.GetCurrentProcess().TotalProcessorTime - cpuPaused;
            clock.Start();
        }
        extractor.Finish();
        while (extractor.TryTakeFlow(out _)) flows++;
        return Finish(clock, cpu, extractor.Statistics.PacketsRead, fileBytes, flows, activeAtEnd, perFlow);
    }

    private static RunFigures Finish(Stopwatch clock, TimeSpan cpuBefore, long packets, long fileBytes, long flows,
        long activeAtEnd, double perFlow)
    {
        clock.Stop();
        return new RunFigures
        {
            Packets = packets,
            FileBytes = fileBytes,
            Flows = flows,
            Seconds = clock.Elapsed.TotalSeconds,
            CpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds,
            PeakResidentBytes = ProcessMemory.PeakResident(),
            ActiveFlowsAtEnd = activeAtEnd,
            ManagedBytesPerActiveFlow = perFlow,
            Collections = GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2) - collectionsBefore,
            GcPauseSeconds = (GC.GetTotalPauseDuration() - pauseBefore).TotalSeconds,
        };
    }
}
