using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using NFStream.Engine.Capture;
using NFStream.Engine.Decoding;
using NFStream.Traffic;

namespace NFStream.Benchmarks.Micro;

/// <summary>
/// The micro-benchmarks' inputs: one generated capture (32 MB, seed 1), and its frames and decoded packets in
/// memory. Built once per process.
/// </summary>
public static class MicroInputs
{
    private static readonly Lazy<string> capture = new(() =>
    {
        string path = Path.Combine(Path.GetTempPath(), "nfstream-bench-micro-32M-seed1.pcap");
        if (!File.Exists(path)) TrafficGenerator.Write(path, new TrafficOptions { TargetBytes = 32 << 20, Seed = 1 });
        return path;
    });

    private static readonly Lazy<(byte[][] Frames, uint[] WireLengths, ulong[] Times, ParsedPacket[] Parsed)> packets = new(() =>
    {
        var frames = new List<byte[]>();
        var lengths = new List<uint>();
        var times = new List<ulong>();
        var parsed = new List<ParsedPacket>();
        var decoder = new PacketDecoder(decodeTunnels: true);
        var p = new ParsedPacket();
        using var source = CaptureFile.Open(CapturePath);
        while (source.TryRead(out var record))
        {
            frames.Add(record.Data.ToArray());
            lengths.Add(record.WireLength);
            times.Add(record.TimeMs);
            if (decoder.Decode(record.LinkType, record.Data, record.WireLength, record.TimeMs, ref p) == IgnoreReason.None) parsed.Add(p);
        }
        return (frames.ToArray(), lengths.ToArray(), times.ToArray(), parsed.ToArray());
    });

    public static string CapturePath => capture.Value;

    public static byte[][] Frames => packets.Value.Frames;
    public static uint[] WireLengths => packets.Value.WireLengths;
    public static ulong[] Times => packets.Value.Times;
    public static ParsedPacket[] Parsed => packets.Value.Parsed;
}

/// <summary>Short in-process runs: figures to read, not to assert (the machine is shared).</summary>
public sealed class MicroConfig : ManualConfig
{
    public MicroConfig()
    {
        AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }
}
