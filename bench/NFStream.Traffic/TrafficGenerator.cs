using System.Diagnostics;
using NFStream.Engine.Samples;

namespace NFStream.Traffic;

/// <summary>The knobs of a generated capture.</summary>
public sealed record TrafficOptions
{
    /// <summary>Stop once the file has at least this many bytes.</summary>
    public long TargetBytes { get; init; } = 1L << 30;

    public long Seed { get; init; } = 1;

    /// <summary>New conversations per second of capture time (Poisson arrivals).</summary>
    public double SessionsPerSecond { get; init; } = 1000;

    /// <summary>Share of conversations over IPv6.</summary>
    public double Ipv6Share { get; init; } = 0.2;

    /// <summary>Share of conversations on a tagged VLAN.</summary>
    public double VlanShare { get; init; } = 0.08;
}

/// <summary>
/// Writes a large, deterministic, realistic capture (Ethernet pcap): many concurrent conversations interleaved
/// in time, DNS, HTTPS with TCP handshakes and TLS ClientHellos carrying SNI, HTTP with User-Agent and
/// Content-Type, QUIC-like UDP, other UDP streams, SSH, pings and long-lived keep-alive connections; heavy-tailed
/// transfer sizes, per-conversation round-trip times, some IPv6 and some 802.1Q VLAN tags. The same options
/// give the same bytes. Frames are built with the engine's sample writers (NFStream.Engine.Samples).
/// </summary>
public static class TrafficGenerator
{
    private static readonly double[] KindWeights = { 0.34, 0.30, 0.08, 0.10, 0.08, 0.03, 0.01, 0.06 };
    private static readonly ushort[] Vlans = { 10, 20, 30, 100 };

    public sealed record Summary(long Packets, long Bytes, long Sessions, TimeSpan CaptureSpan, TimeSpan Elapsed);

    public static Summary Write(string path, TrafficOptions options)
    {
        Stream stream = path == "-"
            ? new BufferedStream(Console.OpenStandardOutput(), 1 << 20)
            : new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
        using var writer = new PcapWriter(stream, linkType: 1, ownsStream: true);
        return Write(writer, options);
    }

    public static Summary Write(CaptureWriter writer, TrafficOptions options)
    {
        var clock = Stopwatch.StartNew();
        var random = new DeterministicRandom(options.Seed);
        var catalog = new TrafficCatalog(random);
        var context = new TrafficContext(random, catalog, new PacketFactory(), writer) { BytesWritten = 24 };
        var due = new PriorityQueue<TrafficSession, (long Time, long Id)>();
        long start = SampleCapture.StartNanoseconds, nextArrival = start, sessions = 0;
        double meanArrivalMs = 1000.0 / options.SessionsPerSecond;
        while (context.BytesWritten < options.TargetBytes)
        {
            if (due.TryPeek(out _, out var next) && next.Time < nextArrival)
            {
                var session = due.Dequeue();
                context.Now = next.Time;
                long gap = session.Step(context);
                if (gap >= 0) due.Enqueue(session, (next.Time + gap, next.Id));
            }
            else
            {
                due.Enqueue(NewSession(context, options), (nextArrival, sessions++));
                nextArrival += context.Gap(meanArrivalMs);
            }
        }
        writer.Flush();
        return new Summary(writer.PacketCount, context.BytesWritten, sessions,
            TimeSpan.FromTicks((context.Now - start) / 100), clock.Elapsed);
    }

    private static TrafficSession NewSession(TrafficContext c, TrafficOptions options)
    {
        var r = c.Random;
        var catalog = c.Catalog;
        bool v6 = r.Chance(options.Ipv6Share);
        ushort vlan = r.Chance(options.VlanShare) ? Vlans[r.Next(0, Vlans.Length)] : (ushort)0;
        var client = (v6 ? r.Pick(catalog.Clients6) : r.Pick(catalog.Clients4)) with { Port = (ushort)r.Next(32768, 61000) };
        var server = v6 ? r.Pick(catalog.Servers6) : r.Pick(catalog.Servers4);
        double rtt = 1 + r.Exponential(30);
        string name = r.Pick(catalog.ServerNames);
        switch (r.Pick(KindWeights))
        {
            case 0:
                return new DnsSession(c, client, v6 ? r.Pick(catalog.Resolvers6) : r.Pick(catalog.Resolvers4), vlan, rtt, name);
            case 1:
                return new TlsSession(c, client, server with { Port = 443 }, vlan, rtt, name);
            case 2:
                return new HttpSession(c, client, server with { Port = 80 }, vlan, rtt);
            case 3:
                return new QuicSession(c, client, server with { Port = 443 }, vlan, rtt);
            case 4:
                return new UdpStreamSession(c, client, server with { Port = r.Chance(0.4) ? (ushort)123 : (ushort)r.Next(1024, 32000) }, vlan, rtt);
            case 5:
                return new PingSession(c, client with { Port = 0 }, server, vlan, rtt);
            case 6:
                return new SshSession(c, client, server with { Port = 22 }, vlan, rtt);
            default:
                return new KeepAliveSession(c, client, server with { Port = 443 }, vlan, rtt, name);
        }
    }
}
