using NFStream.Engine.Samples;

namespace NFStream.Traffic;

/// <summary>What a session step needs: the clock, the packet builders, the random source and the catalog.</summary>
public sealed class TrafficContext
{
    private const long Millisecond = 1_000_000;

    public TrafficContext(DeterministicRandom random, TrafficCatalog catalog, PacketFactory factory, CaptureWriter writer)
    {
        Random = random;
        Catalog = catalog;
        Factory = factory;
        Writer = writer;
    }

    public DeterministicRandom Random { get; }
    public TrafficCatalog Catalog { get; }
    public PacketFactory Factory { get; }
    public CaptureWriter Writer { get; }

    /// <summary>The capture time of the packet being built, in nanoseconds since the epoch.</summary>
    public long Now { get; set; }

    /// <summary>Bytes written to the capture so far, file header included.</summary>
    public long BytesWritten { get; set; }

    /// <summary>Writes a built frame at <see cref="Now"/>.</summary>
    public void Emit(ReadOnlySpan<byte> frame)
    {
        Writer.WritePacket(Now, frame);
        BytesWritten += 16 + frame.Length;
    }

    /// <summary>Nanoseconds: an exponential gap around <paramref name="meanMs"/>, at least 10 µs.</summary>
    public long Gap(double meanMs) => Math.Max(10_000, (long)(Random.Exponential(meanMs) * Millisecond));

    public static long Ms(double ms) => (long)(ms * Millisecond);
}

/// <summary>
/// One conversation of a generated capture: a small state machine that builds its next packet on each
/// <see cref="Step"/> and says when the one after it is due.
/// </summary>
public abstract class TrafficSession
{
    protected TrafficSession(TrafficContext context, ushort vlan, double rttMs)
    {
        Vlan = vlan;
        RttMs = rttMs;
    }

    public ushort Vlan { get; }

    protected double RttMs { get; }

    protected int Phase { get; set; }

    /// <summary>Builds the next packet into the context; returns the gap to the following one, or -1 when done.</summary>
    public long Step(TrafficContext c)
    {
        c.Factory.VlanId = Vlan;
        return Next(c);
    }

    protected abstract long Next(TrafficContext c);

    /// <summary>A heavy-tailed number of data segments (Pareto, shape 1.2), at most <paramref name="max"/>.</summary>
    protected static int DataSegments(TrafficContext c, double min, int max) => (int)Math.Min(max, c.Random.Pareto(min, 1.2));
}

/// <summary>TCP with a handshake, an application exchange, bulk data both ways, and a FIN, RST or no close.</summary>
public abstract class TcpTrafficSession : TrafficSession
{
    private readonly TcpSession tcp;
    private int dataLeft, sinceAck;
    private readonly double downloadShare;
    private readonly int close;

    protected TcpTrafficSession(TrafficContext c, SampleEndpoint client, SampleEndpoint server, ushort vlan, double rttMs,
        int dataSegments, double downloadShare)
        : base(c, vlan, rttMs)
    {
        tcp = new TcpSession(c.Factory, client, server, (uint)c.Random.NextUInt64(), (uint)c.Random.NextUInt64());
        dataLeft = dataSegments;
        this.downloadShare = downloadShare;
        double r = c.Random.NextDouble();
        close = r < 0.85 ? 0 : r < 0.95 ? 1 : 2;   // FIN, RST, nothing (cut by the capture's end or a timeout)
    }

    /// <summary>The application exchange after the handshake: returns the gap, or 0 when it is over.</summary>
    protected abstract long Application(TrafficContext c, TcpSession tcp, int step);

    protected virtual ReadOnlySpan<byte> DataPayload(TrafficContext c, bool download) => c.Catalog.Bulk;

    protected override long Next(TrafficContext c)
    {
        switch (Phase)
        {
            case 0:
                c.Emit(tcp.FromClient(TcpFlag.Syn));
                Phase = 1;
                return TrafficContext.Ms(RttMs);
            case 1:
                c.Emit(tcp.FromServer(TcpFlag.Syn | TcpFlag.Ack));
                Phase = 2;
                return c.Gap(0.2);
            case 2:
                c.Emit(tcp.FromClient(TcpFlag.Ack));
                Phase = 10;
                return c.Gap(0.1);
        }
        if (Phase >= 10 && Phase < 100)
        {
            long gap = Application(c, tcp, Phase - 10);
            if (gap > 0)
            {
                Phase++;
                return gap;
            }
            Phase = 100;
        }
        if (Phase == 100)
        {
            if (dataLeft > 0)
            {
                dataLeft--;
                bool download = c.Random.Chance(downloadShare);
                var payload = DataPayload(c, download);
                if (!download) payload = payload[..c.Random.Next(Math.Min(60, payload.Length), payload.Length + 1)];
                c.Emit(download ? tcp.ServerData(payload) : tcp.ClientData(payload));
                if (++sinceAck == 2)
                {
                    sinceAck = 0;
                    Phase = 101;
                }
                return c.Random.Chance(0.01) ? c.Gap(1500) : c.Gap(RttMs / 10);
            }
            Phase = 200;
        }
        if (Phase == 101)
        {
            c.Emit(tcp.FromClient(TcpFlag.Ack));
            Phase = 100;
            return c.Gap(RttMs / 10);
        }
        switch (close)
        {
            case 0 when Phase == 200:
                c.Emit(tcp.FromClient(TcpFlag.Fin | TcpFlag.Ack));
                Phase = 201;
                return TrafficContext.Ms(RttMs);
            case 0 when Phase == 201:
                c.Emit(tcp.FromServer(TcpFlag.Fin | TcpFlag.Ack));
                Phase = 202;
                return c.Gap(0.1);
            case 0:
                c.Emit(tcp.FromClient(TcpFlag.Ack));
                return -1;
            case 1:
                c.Emit(tcp.FromClient(TcpFlag.Rst | TcpFlag.Ack));
                return -1;
            default:
                c.Emit(tcp.FromServer(TcpFlag.Ack));
                return -1;
        }
    }
}

/// <summary>HTTPS: a ClientHello with SNI, a ServerHello, then TLS records.</summary>
public sealed class TlsSession : TcpTrafficSession
{
    private readonly string serverName;

    public TlsSession(TrafficContext c, SampleEndpoint client, SampleEndpoint server, ushort vlan, double rttMs, string serverName)
        : base(c, client, server, vlan, rttMs, DataSegments(c, 4, 20_000), 0.85)
    {
        this.serverName = serverName;
    }

    protected override long Application(TrafficContext c, TcpSession tcp, int step)
    {
        switch (step)
        {
            case 0:
                c.Emit(tcp.ClientData(c.Catalog.ClientHellos[serverName]));
                return TrafficContext.Ms(RttMs);
            case 1:
                c.Emit(tcp.ServerData(c.Catalog.ServerHello));
                return c.Gap(0.3);
            case 2:
                c.Emit(tcp.FromClient(TcpFlag.Ack));
                return c.Gap(1);
            case 3:
                c.Emit(tcp.ClientData(c.Catalog.TlsRecord.AsSpan(0, 80)));
                return TrafficContext.Ms(RttMs);
            default:
                return 0;
        }
    }

    protected override ReadOnlySpan<byte> DataPayload(TrafficContext c, bool download) => c.Catalog.TlsRecord;
}

/// <summary>Plain HTTP: a GET with Host and User-Agent, a response with Content-Type, then the body.</summary>
public sealed class HttpSession : TcpTrafficSession
{
    public HttpSession(TrafficContext c, SampleEndpoint client, SampleEndpoint server, ushort vlan, double rttMs)
        : base(c, client, server, vlan, rttMs, DataSegments(c, 2, 5_000), 0.95)
    {
    }

    protected override long Application(TrafficContext c, TcpSession tcp, int step)
    {
        switch (step)
        {
            case 0:
                c.Emit(tcp.ClientData(c.Random.Pick(c.Catalog.HttpRequests)));
                return TrafficContext.Ms(RttMs);
            case 1:
                c.Emit(tcp.FromServer(TcpFlag.Ack));
                return c.Gap(2);
            case 2:
                c.Emit(tcp.ServerData(c.Random.Pick(c.Catalog.HttpResponses)));
                return c.Gap(0.5);
            default:
                return 0;
        }
    }
}

/// <summary>SSH: banners, key exchange, then an interactive session of small packets with pauses.</summary>
public sealed class SshSession : TcpTrafficSession
{
    public SshSession(TrafficContext c, SampleEndpoint client, SampleEndpoint server, ushort vlan, double rttMs)
        : base(c, client, server, vlan, rttMs, c.Random.Next(20, 400), 0.5)
    {
    }

    protected override long Application(TrafficContext c, TcpSession tcp, int step)
    {
        switch (step)
        {
            case 0:
                c.Emit(tcp.ServerData(c.Catalog.SshServerBanner));
                return c.Gap(1);
            case 1:
                c.Emit(tcp.ClientData(c.Catalog.SshClientBanner));
                return c.Gap(0.5);
            case 2:
                c.Emit(tcp.ClientData(c.Catalog.SshClientKex));
                return TrafficContext.Ms(RttMs);
            case 3:
                c.Emit(tcp.ServerData(c.Catalog.SshServerKex));
                return c.Gap(2);
            default:
                return 0;
        }
    }

    protected override ReadOnlySpan<byte> DataPayload(TrafficContext c, bool download) =>
        c.Catalog.Bulk.AsSpan(0, c.Random.Next(36, 200));
}

/// <summary>A long-lived TLS connection that sends a small record and gets an ACK every 20 to 60 seconds.</summary>
public sealed class KeepAliveSession : TrafficSession
{
    private readonly TcpSession tcp;
    private readonly string serverName;
    private int rounds;

    public KeepAliveSession(TrafficContext c, SampleEndpoint client, SampleEndpoint server, ushort vlan, double rttMs, string serverName)
        : base(c, vlan, rttMs)
    {
        tcp = new TcpSession(c.Factory, client, server, (uint)c.Random.NextUInt64(), (uint)c.Random.NextUInt64());
        this.serverName = serverName;
        rounds = c.Random.Next(3, 20);
    }

    protected override long Next(TrafficContext c)
    {
        switch (Phase++)
        {
            case 0: c.Emit(tcp.FromClient(TcpFlag.Syn)); return TrafficContext.Ms(RttMs);
            case 1: c.Emit(tcp.FromServer(TcpFlag.Syn | TcpFlag.Ack)); return c.Gap(0.2);
            case 2: c.Emit(tcp.FromClient(TcpFlag.Ack)); return c.Gap(0.1);
            case 3: c.Emit(tcp.ClientData(c.Catalog.ClientHellos[serverName])); return TrafficContext.Ms(RttMs);
            case 4: c.Emit(tcp.ServerData(c.Catalog.ServerHello)); return c.Gap(0.3);
        }
        if (Phase % 2 == 0)
        {
            c.Emit(tcp.ClientData(c.Catalog.TlsRecord.AsSpan(0, c.Random.Next(40, 120))));
            return TrafficContext.Ms(RttMs);
        }
        c.Emit(tcp.FromServer(TcpFlag.Ack));
        return --rounds > 0 ? TrafficContext.Ms(20_000 + c.Random.NextDouble() * 40_000) : -1;
    }
}

/// <summary>A DNS lookup: one query, one response.</summary>
public sealed class DnsSession : TrafficSession
{
    private readonly SampleEndpoint client, server;
    private readonly string name;

    public DnsSession(TrafficContext c, SampleEndpoint client, SampleEndpoint server, ushort vlan, double rttMs, string name)
        : base(c, vlan, rttMs)
    {
        this.client = client;
        this.server = server;
        this.name = name;
    }

    protected override long Next(TrafficContext c)
    {
        if (Phase++ == 0)
        {
            c.Emit(c.Factory.Udp(client, server, c.Catalog.DnsQueries[name]));
            return TrafficContext.Ms(RttMs / 4 + 1);
        }
        c.Emit(c.Factory.Udp(server, client, c.Catalog.DnsResponses[name]));
        return -1;
    }
}

/// <summary>QUIC-like UDP on 443: Initial packets both ways, then short-header packets, mostly downstream.</summary>
public sealed class QuicSession : TrafficSession
{
    private readonly SampleEndpoint client, server;
    private int left;

    public QuicSession(TrafficContext c, SampleEndpoint client, SampleEndpoint server, ushort vlan, double rttMs)
        : base(c, vlan, rttMs)
    {
        this.client = client;
        this.server = server;
        left = DataSegments(c, 6, 30_000);
    }

    protected override long Next(TrafficContext c)
    {
        switch (Phase++)
        {
            case 0:
                c.Emit(c.Factory.Udp(client, server, c.Catalog.QuicInitial));
                return TrafficContext.Ms(RttMs);
            case 1:
                c.Emit(c.Factory.Udp(server, client, c.Catalog.QuicInitial));
                return c.Gap(0.2);
        }
        bool download = c.Random.Chance(0.8);
        int size = download ? c.Random.Next(1000, 1350) : c.Random.Next(40, 90);
        var payload = c.Catalog.QuicShort.AsSpan(0, size);
        c.Emit(download ? c.Factory.Udp(server, client, payload) : c.Factory.Udp(client, server, payload));
        return --left > 0 ? (c.Random.Chance(0.01) ? c.Gap(2000) : c.Gap(RttMs / 10)) : -1;
    }
}

/// <summary>Other UDP: NTP-like exchanges or a media-like stream of packets every 20 ms.</summary>
public sealed class UdpStreamSession : TrafficSession
{
    private readonly SampleEndpoint client, server;
    private int left;
    private readonly int size;

    public UdpStreamSession(TrafficContext c, SampleEndpoint client, SampleEndpoint server, ushort vlan, double rttMs)
        : base(c, vlan, rttMs)
    {
        this.client = client;
        this.server = server;
        left = c.Random.Chance(0.5) ? 2 : c.Random.Next(10, 1500);
        size = left == 2 ? 48 : c.Random.Next(120, 1200);
    }

    protected override long Next(TrafficContext c)
    {
        var payload = c.Catalog.Bulk.AsSpan(0, size);
        bool fromClient = Phase++ % 3 != 2;
        c.Emit(fromClient ? c.Factory.Udp(client, server, payload) : c.Factory.Udp(server, client, payload));
        return --left > 0 ? TrafficContext.Ms(20) + c.Gap(1) : -1;
    }
}

/// <summary>Pings: echo request and reply pairs, one second apart.</summary>
public sealed class PingSession : TrafficSession
{
    private readonly SampleEndpoint client, server;
    private readonly ushort identifier;
    private int left;
    private ushort sequence;

    public PingSession(TrafficContext c, SampleEndpoint client, SampleEndpoint server, ushort vlan, double rttMs)
        : base(c, vlan, rttMs)
    {
        this.client = client;
        this.server = server;
        identifier = (ushort)c.Random.NextUInt64();
        left = c.Random.Next(1, 10);
    }

    protected override long Next(TrafficContext c)
    {
        if (Phase++ % 2 == 0)
        {
            c.Emit(c.Factory.IcmpEcho(client, server, request: true, identifier, ++sequence, 56));
            return TrafficContext.Ms(RttMs);
        }
        c.Emit(c.Factory.IcmpEcho(server, client, request: false, identifier, sequence, 56));
        return --left > 0 ? TrafficContext.Ms(1000) : -1;
    }
}
