using System.Buffers.Binary;
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
    /// <summary>Managed bytes allocated during the pass (all threads).</summary>
    public long AllocatedBytes { get; init; }
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
    private static long allocatedBefore;
    private static TimeSpan pauseBefore;

    public static RunFigures Run(string mode, string file, FlowOptions options, TextWriter? memoryLog = null,
        long memoryEveryBytes = 0)
    {
        collectionsBefore = GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2);
        pauseBefore = GC.GetTotalPauseDuration();
        allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long fileBytes = new FileInfo(file).Exists ? new FileInfo(file).Length : 0;
        return mode switch
        {
            "read" => Scan(file, fileBytes, new PlainRead()),
            "tuple" => Scan(file, fileBytes, new FiveTupleParse()),
            "decode" => Scan(file, fileBytes, new FullDecode(new PacketDecoder(decodeTunnels: true))),
            "engine" => Engine(file, fileBytes, options, memoryLog, memoryEveryBytes),
            _ => throw new ArgumentException($"unknown mode '{mode}' (read, tuple, decode, engine)"),
        };
    }

    /// <summary>What a read-only run does with each record (a struct: the loop is specialised, no call per record).</summary>
    private interface IRecordWork
    {
        ulong Do(in PacketRecord record);
    }

    /// <summary>Reads every record of the file, hands each to <paramref name="work"/>, and times it all.</summary>
    private static RunFigures Scan<TWork>(string file, long fileBytes, TWork work) where TWork : struct, IRecordWork
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long packets = 0;
        ulong sum = 0;
        using (var source = CaptureFile.Open(file))
        {
            while (source.TryRead(out var record))
            {
                packets++;
                sum += work.Do(record);
            }
        }
        GC.KeepAlive(sum);
        return Finish(clock, cpu, packets, fileBytes, 0, 0, 0);
    }

    /// <summary>The plain read: the record and its header, nothing parsed (the limit).</summary>
    private struct PlainRead : IRecordWork
    {
        public ulong Do(in PacketRecord record) => (ulong)record.Data.Length + record.TimeMs;
    }

    /// <summary>
    /// The reference for the limit: "a managed span-based read of the file plus a 5-tuple parse".
    /// Ethernet (one 802.1Q tag), IPv4 or IPv6 without extension headers, TCP or UDP ports: what a minimal
    /// flow meter needs, none of NFStream's parser (tunnels, other link types, fragments, checks).
    /// </summary>
    private struct FiveTupleParse : IRecordWork
    {
        public ulong Do(in PacketRecord record)
        {
            var f = record.Data;
            if (f.Length < 14) return 0;
            int at = 12;
            int type = f[at] << 8 | f[at + 1];
            if (type == 0x8100 && f.Length >= 18)
            {
                at += 4;
                type = f[at] << 8 | f[at + 1];
            }
            at += 2;
            ulong h;
            int protocol, l4;
            if (type == 0x0800 && f.Length >= at + 20)
            {
                protocol = f[at + 9];
                h = BinaryPrimitives.ReadUInt32BigEndian(f.Slice(at + 12)) + (ulong)BinaryPrimitives.ReadUInt32BigEndian(f.Slice(at + 16));
                l4 = at + (f[at] & 0x0f) * 4;
            }
            else if (type == 0x86dd && f.Length >= at + 40)
            {
                protocol = f[at + 6];
                h = BinaryPrimitives.ReadUInt64BigEndian(f.Slice(at + 8)) ^ BinaryPrimitives.ReadUInt64BigEndian(f.Slice(at + 16))
                    ^ BinaryPrimitives.ReadUInt64BigEndian(f.Slice(at + 24)) ^ BinaryPrimitives.ReadUInt64BigEndian(f.Slice(at + 32));
                l4 = at + 40;
            }
            else return 0;
            if ((protocol == 6 || protocol == 17) && f.Length >= l4 + 4)
                h += (ulong)BinaryPrimitives.ReadUInt16BigEndian(f.Slice(l4)) + BinaryPrimitives.ReadUInt16BigEndian(f.Slice(l4 + 2));
            return h + (ulong)protocol;
        }
    }

    /// <summary>Read and decode with NFStream's parser, as the engine does before metering.</summary>
    private struct FullDecode(PacketDecoder decoder) : IRecordWork
    {
        private ParsedPacket parsed;

        public ulong Do(in PacketRecord record) =>
            decoder.Decode(record.LinkType, record.Data, record.WireLength, record.TimeMs, ref parsed) == IgnoreReason.None
                ? parsed.FanoutHash
                : 0;
    }

    private static RunFigures Engine(string file, long fileBytes, FlowOptions options, TextWriter? memoryLog, long memoryEveryBytes)
    {
        GC.Collect();
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long flows = 0, nextSample = memoryEveryBytes;
        Func<IFlowClassifier?>? dpi = options.UsesDpi ? () => FlowClassifierFactory.Create(options.NDissections) : null;
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
            AllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore,
        };
    }
}
