namespace NFStream.Engine.Samples;

/// <summary>File formats that <see cref="SampleCapture"/> writes.</summary>
public enum SampleCaptureFormat
{
    Pcap,
    PcapNg,
}

/// <summary>
/// A small, deterministic, realistic capture on Ethernet: per round a DNS lookup, an HTTP download, a TLS
/// connection with SNI, an SSH session, a ping, a DNS lookup over IPv6, VLAN-tagged UDP, a DHCP discover and
/// unrecognised UDP on port 443. The same seed gives the same bytes. For examples, tests and first runs.
/// </summary>
public static class SampleCapture
{
    /// <summary>Seconds between rounds.</summary>
    public const int RoundSpacingSeconds = 15;

    /// <summary>2026-01-01T00:00:00Z in nanoseconds since the Unix epoch: the first packet's time.</summary>
    public const long StartNanoseconds = 1_767_225_600L * 1_000_000_000;

    private const ulong ClientMac = 0x0050_5600_0010, GatewayMac = 0x0011_2233_4455, ServerMac = 0x0011_2233_4466;

    public static long Write(string path, SampleCaptureFormat format = SampleCaptureFormat.Pcap, int seed = 1, int rounds = 4)
    {
        using CaptureWriter writer = format == SampleCaptureFormat.Pcap
            ? PcapWriter.Create(path, linkType: 1)
            : CreatePcapNg(path);
        return WriteTo(writer, seed, rounds);
    }

    private static PcapNgWriter CreatePcapNg(string path)
    {
        var writer = PcapNgWriter.Create(path);
        writer.AddInterface(linkType: 1);
        return writer;
    }

    /// <summary>Writes <paramref name="rounds"/> rounds of traffic; returns the number of packets written.</summary>
    public static long WriteTo(CaptureWriter writer, int seed = 1, int rounds = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rounds);
        var random = new Random(seed);
        var factory = new PacketFactory();
        var clock = new Clock(writer, random);
        long before = writer.PacketCount;
        for (int round = 0; round < rounds; round++)
        {
            clock.Now = StartNanoseconds + (long)round * RoundSpacingSeconds * 1_000_000_000;
            ushort port = (ushort)(40000 + random.Next(0, 2000) * 10);
            var client = new SampleEndpoint(ClientMac, "192.168.1.10", port);
            Dns(clock, factory, client, new SampleEndpoint(GatewayMac, "192.168.1.1", 53), "www.example.com");
            Http(clock, factory, client with { Port = (ushort)(port + 1) }, new SampleEndpoint(GatewayMac, "93.184.216.34", 80));
            Tls(clock, factory, client with { Port = (ushort)(port + 2) }, new SampleEndpoint(GatewayMac, "142.250.185.78", 443));
            Ssh(clock, factory, client with { Port = (ushort)(port + 3) }, new SampleEndpoint(ServerMac, "192.168.1.20", 22));
            Ping(clock, factory, client, new SampleEndpoint(GatewayMac, $"8.8.{(8 + round / 240) % 256}.{8 + round % 240}", 0), (ushort)(round + 1));
            Dns(clock, factory, new SampleEndpoint(ClientMac, "2001:db8::10", (ushort)(port + 5)),
                new SampleEndpoint(GatewayMac, "2001:db8::1", 53), "ipv6.example.org");
            Vlan(clock, factory, client with { Port = (ushort)(port + 6) }, new SampleEndpoint(ServerMac, "10.20.0.5", 5001));
            Dhcp(clock, factory, (ushort)round);
            Quic(clock, factory, client with { Port = (ushort)(port + 8) }, new SampleEndpoint(GatewayMac, "142.250.185.99", 443));
        }
        writer.Flush();
        return writer.PacketCount - before;
    }

    private static void Dns(Clock clock, PacketFactory factory, SampleEndpoint client, SampleEndpoint server, string name)
    {
        byte[] query = ApplicationPayloads.DnsQuery(name);
        clock.Write(factory.Udp(client, server, query));
        byte[] response = (byte[])query.Clone();
        response[2] = 0x81;
        response[3] = 0x80;
        clock.Write(factory.Udp(server, client, response), 1 + clock.Jitter(20));
    }

    private static void Http(Clock clock, PacketFactory factory, SampleEndpoint client, SampleEndpoint server)
    {
        var tcp = new TcpSession(factory, client, server);
        Handshake(clock, tcp);
        clock.Write(tcp.ClientData(ApplicationPayloads.HttpGet("www.example.com", "Mozilla/5.0 (NFStream sample)")), 1);
        clock.Write(tcp.FromServer(TcpFlag.Ack), 5 + clock.Jitter(5));
        clock.Write(tcp.ServerData(ApplicationPayloads.HttpResponse("text/html")), 20 + clock.Jitter(30));
        clock.Write(tcp.FromClient(TcpFlag.Ack), 1);
        Close(clock, tcp);
    }

    private static void Tls(Clock clock, PacketFactory factory, SampleEndpoint client, SampleEndpoint server)
    {
        var tcp = new TcpSession(factory, client, server);
        Handshake(clock, tcp);
        clock.Write(tcp.ClientData(ApplicationPayloads.TlsClientHello("www.google.com")), 1);
        clock.Write(tcp.FromServer(TcpFlag.Ack), 15 + clock.Jitter(10));
        Span<byte> record = stackalloc byte[600];
        for (int i = 0; i < 4; i++)
        {
            FillTlsRecord(record, (byte)i);
            clock.Write(tcp.ServerData(record), 2 + clock.Jitter(5));
        }
        clock.Write(tcp.FromClient(TcpFlag.Ack), 1);
        Close(clock, tcp);
    }

    private static void Ssh(Clock clock, PacketFactory factory, SampleEndpoint client, SampleEndpoint server)
    {
        var tcp = new TcpSession(factory, client, server);
        Handshake(clock, tcp);
        clock.Write(tcp.ServerData(ApplicationPayloads.SshBanner("OpenSSH_9.2p1 Debian-2")), 3);
        clock.Write(tcp.ClientData(ApplicationPayloads.SshBanner("OpenSSH_9.6")), 1);
        clock.Write(tcp.ClientData(ApplicationPayloads.SshClientKexInit()), 1);
        clock.Write(tcp.ServerData(ApplicationPayloads.SshServerKexInit()), 2 + clock.Jitter(4));
        clock.Write(tcp.FromClient(TcpFlag.Ack), 1);
        Close(clock, tcp);
    }

    private static void Ping(Clock clock, PacketFactory factory, SampleEndpoint client, SampleEndpoint server, ushort identifier)
    {
        for (ushort sequence = 1; sequence <= 3; sequence++)
        {
            clock.Write(factory.IcmpEcho(client, server, request: true, identifier, sequence), sequence == 1 ? 5 : 1000);
            clock.Write(factory.IcmpEcho(server, client, request: false, identifier, sequence), 10 + clock.Jitter(10));
        }
    }

    private static void Vlan(Clock clock, PacketFactory factory, SampleEndpoint client, SampleEndpoint server)
    {
        factory.VlanId = 100;
        Span<byte> payload = stackalloc byte[120];
        for (int i = 0; i < 5; i++)
        {
            payload.Fill((byte)(0x30 + i));
            clock.Write(factory.Udp(client, server, payload), 4);
            clock.Write(factory.Udp(server, client, payload[..60]), 1 + clock.Jitter(3));
        }
        factory.VlanId = 0;
    }

    private static void Dhcp(Clock clock, PacketFactory factory, ushort round)
    {
        var client = new SampleEndpoint(ClientMac + 1 + round, "0.0.0.0", 68);
        var broadcast = new SampleEndpoint(0xFFFF_FFFF_FFFF, "255.255.255.255", 67);
        clock.Write(factory.Udp(client, broadcast, ApplicationPayloads.DhcpDiscover($"sample-host-{round}")), 7);
    }

    private static void Quic(Clock clock, PacketFactory factory, SampleEndpoint client, SampleEndpoint server)
    {
        Span<byte> payload = stackalloc byte[1200];
        for (int i = 0; i < 3; i++)
        {
            for (int b = 0; b < payload.Length; b++) payload[b] = (byte)(b * 31 + i * 7 + 0x9f);
            clock.Write(factory.Udp(client, server, payload), 3);
            clock.Write(factory.Udp(server, client, payload[..900]), 12 + clock.Jitter(8));
        }
    }

    private static void Handshake(Clock clock, TcpSession tcp)
    {
        clock.Write(tcp.FromClient(TcpFlag.Syn), 5);
        clock.Write(tcp.FromServer(TcpFlag.Syn | TcpFlag.Ack), 10 + clock.Jitter(20));
        clock.Write(tcp.FromClient(TcpFlag.Ack), 1);
    }

    private static void Close(Clock clock, TcpSession tcp)
    {
        clock.Write(tcp.FromClient(TcpFlag.Fin | TcpFlag.Ack), 50 + clock.Jitter(50));
        clock.Write(tcp.FromServer(TcpFlag.Fin | TcpFlag.Ack), 10 + clock.Jitter(10));
        clock.Write(tcp.FromClient(TcpFlag.Ack), 1);
    }

    /// <summary>An application-data TLS record of the span's size.</summary>
    private static void FillTlsRecord(Span<byte> record, byte seed)
    {
        record[0] = 0x17;
        record[1] = 0x03;
        record[2] = 0x03;
        record[3] = (byte)((record.Length - 5) >> 8);
        record[4] = (byte)(record.Length - 5);
        for (int i = 5; i < record.Length; i++) record[i] = (byte)(i * 13 + seed);
    }

    /// <summary>The capture's clock: each packet comes some milliseconds after the previous one.</summary>
    private sealed class Clock
    {
        private readonly CaptureWriter writer;
        private readonly Random random;

        public Clock(CaptureWriter writer, Random random)
        {
            this.writer = writer;
            this.random = random;
        }

        public long Now { get; set; }

        public int Jitter(int maxMilliseconds) => random.Next(0, maxMilliseconds + 1);

        public void Write(ReadOnlySpan<byte> frame, int afterMilliseconds = 0)
        {
            Now += afterMilliseconds * 1_000_000L + random.Next(0, 1000) * 1000L;
            writer.WritePacket(Now, frame);
        }
    }

}
