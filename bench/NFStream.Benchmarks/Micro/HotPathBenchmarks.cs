using BenchmarkDotNet.Attributes;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Decoding;
using NFStream.Engine.Features;
using NFStream.Engine.Flows;

namespace NFStream.Benchmarks.Micro;

/// <summary>The pcap reader: the first 32768 records of the 32 MB capture, from the page cache (per packet).</summary>
[Config(typeof(MicroConfig))]
[MemoryDiagnoser]
public class ReaderBenchmarks
{
    private const int Count = 32768;
    private string path = "";

    [GlobalSetup]
    public void Setup() => path = MicroInputs.CapturePath;

    [Benchmark(Description = "PcapFileReader.TryRead per packet (file opened each time)", OperationsPerInvoke = Count)]
    public long Read()
    {
        long sum = 0;
        using var source = CaptureFile.Open(path);
        for (int i = 0; i < Count && source.TryRead(out var record); i++) sum += record.Data.Length;
        return sum;
    }
}

/// <summary>The decoder on frames laid out one after the other in memory, as the reader's buffer holds them (per packet).</summary>
[Config(typeof(MicroConfig))]
[MemoryDiagnoser]
public class DecoderBenchmarks
{
    private const int Count = 32768;
    private byte[] frames = null!;
    private int[] offsets = null!;
    private uint[] lengths = null!;
    private ulong[] times = null!;
    private readonly PacketDecoder decoder = new(decodeTunnels: true);

    [GlobalSetup]
    public void Setup()
    {
        var source = MicroInputs.Frames.Take(Count).ToArray();
        offsets = new int[Count + 1];
        for (int i = 0; i < Count; i++) offsets[i + 1] = offsets[i] + source[i].Length;
        frames = new byte[offsets[Count]];
        for (int i = 0; i < Count; i++) source[i].CopyTo(frames, offsets[i]);
        lengths = MicroInputs.WireLengths.Take(Count).ToArray();
        times = MicroInputs.Times.Take(Count).ToArray();
    }

    [Benchmark(Description = "PacketDecoder.Decode (Ethernet, VLAN, IPv4/IPv6, TCP/UDP/ICMP)", OperationsPerInvoke = Count)]
    public ulong Decode()
    {
        var p = new ParsedPacket();
        ulong sum = 0;
        var all = frames.AsSpan();
        for (int i = 0; i < Count; i++)
        {
            if (decoder.Decode(1, all[offsets[i]..offsets[i + 1]], lengths[i], times[i], ref p) == IgnoreReason.None) sum += p.SrcLo;
        }
        return sum;
    }
}

/// <summary>The flow table: key building, hashing and lookup of packets whose flows are all cached (per packet).</summary>
[Config(typeof(MicroConfig))]
[MemoryDiagnoser]
public class FlowTableBenchmarks
{
    private const int Count = 32768;
    private ParsedPacket[] parsed = null!;
    private FlowCache cache = null!;

    [GlobalSetup]
    public void Setup()
    {
        parsed = MicroInputs.Parsed.Take(Count).ToArray();
        // Build the cache the way the meter does, so every lookup below hits.
        cache = new FlowCache(1 << 16);
        foreach (ref var p in parsed.AsSpan())
        {
            var key = FlowKey.From(p);
            if (!cache.TryGet(key, out _)) cache.Add(new NFlow { Key = key });
        }
    }

    [Benchmark(Description = "FlowKey.From per packet", OperationsPerInvoke = Count)]
    public int Key()
    {
        int sum = 0;
        foreach (ref var p in parsed.AsSpan()) sum += FlowKey.From(p).GetHashCode();
        return sum;
    }

    [Benchmark(Description = "FlowKey.From + FlowCache.TryGet (hit) per packet", OperationsPerInvoke = Count)]
    public int Lookup()
    {
        int hits = 0;
        foreach (ref var p in parsed.AsSpan())
            if (cache.TryGet(FlowKey.From(p), out _)) hits++;
        return hits;
    }

    [Benchmark(Description = "FlowCache.Add + Remove (a flow created and expired)", OperationsPerInvoke = Count)]
    public int AddRemove()
    {
        var scratch = new FlowCache(16);
        var flow = new NFlow();
        foreach (ref var p in parsed.AsSpan())
        {
            flow.Key = FlowKey.From(p);
            scratch.Add(flow);
            scratch.Remove(flow);
        }
        return scratch.Count;
    }
}

/// <summary>The per-packet statistics (NFStream's exact Welford arithmetic, flags) and a whole meter update.</summary>
[Config(typeof(MicroConfig))]
[MemoryDiagnoser]
public class StatisticsBenchmarks
{
    private const int Count = 32768;
    private ParsedPacket[] parsed = null!;
    private FlowMeter plain = null!, withStatistics = null!;

    [GlobalSetup]
    public void Setup()
    {
        parsed = MicroInputs.Parsed.Take(Count).ToArray();
        plain = new FlowMeter(new FlowOptions { NDissections = 0 });
        withStatistics = new FlowMeter(new FlowOptions { NDissections = 0, StatisticalAnalysis = true });
        // The flows exist and the clock is past the packets: each run below updates cached flows.
        Run(plain);
        Run(withStatistics);
    }

    [Benchmark(Description = "size, gap and flag statistics of one direction per packet", OperationsPerInvoke = Count)]
    public double SizeGapFlags()
    {
        var sizes = new RunningSizeStats();
        var gaps = new RunningGapStats();
        var flags = new TcpFlagCounters();
        sizes.Init(parsed[0].RawSize);
        ulong last = parsed[0].TimeMs;
        for (int i = 1; i < parsed.Length; i++)
        {
            ref var p = ref parsed[i];
            sizes.Update(p.RawSize, (ulong)i + 1);
            gaps.Add(p.TimeMs - last, (ulong)i + 1);
            flags.Add(p.TcpFlags);
            last = p.TimeMs;
        }
        return sizes.Mean + gaps.Mean + flags.Ack;
    }

    [Benchmark(Description = "FlowMeter.Process per packet (cached flows, counters only)", OperationsPerInvoke = Count)]
    public int MeterCounters() => Run(plain);

    [Benchmark(Description = "FlowMeter.Process per packet (cached flows, -StatisticalAnalysis)", OperationsPerInvoke = Count)]
    public int MeterStatistics() => Run(withStatistics);

    private int Run(FlowMeter meter)
    {
        var p = new ParsedPacket();
        for (int i = 0; i < parsed.Length; i++)
        {
            p = parsed[i];
            meter.Process(ref p, default);
        }
        while (meter.TryTakeExpired(out _)) { }
        return meter.ActiveFlows;
    }
}
