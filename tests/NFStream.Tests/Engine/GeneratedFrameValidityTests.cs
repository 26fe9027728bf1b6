using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;
using PacketDotNet;
using SharpPcap;
using SharpPcap.LibPcap;

namespace NFStream.Tests.Engine;

/// <summary>
/// The frames the project generates are valid to an independent parser: PacketDotNet checks every IPv4 header
/// checksum and every TCP, UDP, ICMP and ICMPv6 checksum, and every length field (IPv4 total length, IPv6 payload
/// length, UDP length) must end exactly at the end of the frame, since generated frames carry no trailer. The
/// sample capture is read back through libpcap (SharpPcap), so the writers are checked by a reader that is not ours.
/// </summary>
public sealed class GeneratedFrameValidityTests
{
    private const ulong MacA = 0x0a00_0000_0001, MacB = 0x0a00_0000_0002;

    /// <summary>A frame, the link layer PacketDotNet should parse it as (null: only from the IP offsets), and
    /// the offset of every IP header in it, outermost first.</summary>
    public sealed record Case(string Name, Action<FrameBuilder> Write, LinkLayers? Link, params int[] IpOffsets)
    {
        public override string ToString() => Name;
    }

    private static readonly byte[] RouterAlert = { 0x94, 0x04, 0x00, 0x00 };
    private static readonly byte[] ThreeNops = { 0x01, 0x01, 0x01 };

    private static FrameBuilder Eth(FrameBuilder b, ushort type = 0x0800) => b.Ethernet(MacB, MacA, type);

    private static FrameBuilder V4(FrameBuilder b, byte protocol) => b.Ipv4("10.0.0.1", "10.0.0.2", protocol);

    private static FrameBuilder V6(FrameBuilder b, byte nextHeader) => b.Ipv6("2001:db8::1", "2001:db8::2", nextHeader);

    private static FrameBuilder Tcp(FrameBuilder b, TcpFlag flags = TcpFlag.Psh | TcpFlag.Ack) =>
        b.Tcp(40000, 443, 1000, 50000, flags);

    private static FrameBuilder Udp(FrameBuilder b) => b.Udp(40000, 53);

    private static FrameBuilder OuterUdp(FrameBuilder b, ushort destinationPort) =>
        Eth(b).Ipv4("172.16.0.1", "172.16.0.2", 17).Udp(40001, destinationPort);

    public static readonly Case[] Cases =
    {
        new("Ethernet IPv4 TCP SYN", b => Tcp(V4(Eth(b), 6), TcpFlag.Syn), LinkLayers.Ethernet, 14),
        new("Ethernet IPv4 TCP odd payload", b => Tcp(V4(Eth(b), 6)).Filler(333), LinkLayers.Ethernet, 14),
        new("Ethernet IPv4 UDP odd payload", b => Udp(V4(Eth(b), 17)).Filler(101), LinkLayers.Ethernet, 14),
        new("Ethernet IPv4 UDP empty payload", b => Udp(V4(Eth(b), 17)), LinkLayers.Ethernet, 14),
        new("Ethernet IPv4 ICMP echo odd payload", b => V4(Eth(b), 1).IcmpEcho(true, 7, 1).Filler(37), LinkLayers.Ethernet, 14),
        new("IPv4 options (router alert) TCP", b => Tcp(Eth(b).Ipv4(0x0a000001, 0x0a000002, 6, options: RouterAlert)).Filler(64), LinkLayers.Ethernet, 14),
        new("IPv4 options padded to a word, UDP", b => Udp(Eth(b).Ipv4(0x0a000001, 0x0a000002, 17, options: ThreeNops)).Filler(9), LinkLayers.Ethernet, 14),
        new("Ethernet IPv6 TCP", b => Tcp(V6(Eth(b, 0x86dd), 6)).Filler(77), LinkLayers.Ethernet, 14),
        new("Ethernet IPv6 UDP", b => Udp(V6(Eth(b, 0x86dd), 17)).Filler(45), LinkLayers.Ethernet, 14),
        new("Ethernet ICMPv6 echo", b => V6(Eth(b, 0x86dd), 58).IcmpEcho(false, 9, 2).Filler(31), LinkLayers.Ethernet, 14),
        new("IPv6 hop-by-hop and destination options, UDP", b => Udp(V6(Eth(b, 0x86dd), 0).Ipv6Options(60).Ipv6Options(17)).Filler(23), LinkLayers.Ethernet, 14),
        new("IPv6 destination options, TCP", b => Tcp(V6(Eth(b, 0x86dd), 60).Ipv6Options(6)).Filler(50), LinkLayers.Ethernet, 14),
        new("802.1Q in 802.1Q, UDP", b => Udp(V4(Eth(b, 0x8100).Vlan(10, 0x8100).Vlan(20, 0x0800), 17)).Filler(21), LinkLayers.Ethernet, 22),
        new("PPPoE session, TCP", b => Tcp(V4(Eth(b, 0x8864).PppoeSession(7), 6)).Filler(40), LinkLayers.Ethernet, 22),
        new("MPLS two labels, UDP", b => Udp(V4(Eth(b, 0x8847).Mpls(100, false).Mpls(200, true), 17)).Filler(19), null, 22),
        new("Raw IPv4 (101), TCP", b => Tcp(V4(b, 6)).Filler(12), LinkLayers.Raw, 0),
        new("NULL (0), UDP", b => Udp(V4(b.NullFamily(2, bigEndian: false), 17)).Filler(15), null, 4),
        new("Linux cooked v1 (113), TCP", b => Tcp(V4(b.LinuxSll(0x0800, MacA), 6)).Filler(17), LinkLayers.LinuxSll, 16),
        new("Linux cooked v2 (276), UDP", b => Udp(V4(b.LinuxSll2(0x0800, MacA), 17)).Filler(17), null, 20),
        new("PPP serial (50), UDP", b => Udp(V4(b.PppHdlc(), 17)).Filler(11), null, 4),
        new("Cisco HDLC (104), TCP", b => Tcp(V4(b.CiscoHdlc(), 6)).Filler(11), null, 4),
        new("Radiotap 802.11 (127), UDP", b => Udp(V4(b.Radiotap().Wifi80211Data(0x0200_0000_0102, MacA, MacB, 0x0800), 17)).Filler(13), null, 42),
        new("PPI over Ethernet (192), TCP", b => Tcp(V4(Eth(b.Ppi(1)), 6)).Filler(13), null, 22),
        new("IPv4 in IPv4, UDP", b => Udp(V4(b.Ipv4("172.16.0.1", "172.16.0.2", 4), 17)).Filler(27), LinkLayers.Raw, 0, 20),
        new("IPv6 in IPv4, TCP", b => Tcp(V6(Eth(b).Ipv4("172.16.0.1", "172.16.0.2", 41), 6)).Filler(27), LinkLayers.Ethernet, 14, 34),
        new("IPv4 in IPv6, ICMP", b => V4(V6(Eth(b, 0x86dd), 4), 1).IcmpEcho(true, 3, 4).Filler(8), LinkLayers.Ethernet, 14, 54),
        new("GTP-U, inner TCP", b => Tcp(V4(OuterUdp(b, 2152).GtpU(0x1234), 6)).Filler(99), LinkLayers.Ethernet, 14, 50),
        new("GTP-U, inner IPv6 UDP", b => Udp(V6(OuterUdp(b, 2152).GtpU(0x1234), 17)).Filler(99), LinkLayers.Ethernet, 14, 50),
        new("TZSP, inner Ethernet UDP", b => Udp(V4(Eth(OuterUdp(b, 37008).Tzsp()), 17)).Filler(33), LinkLayers.Ethernet, 14, 61),
        new("CAPWAP data, inner TCP", b => Tcp(V4(OuterUdp(b, 5247).CapwapData(MacA, MacB), 6)).Filler(33), LinkLayers.Ethernet, 14, 82),
    };

    public static IEnumerable<object[]> CaseData() => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void BuiltFramesHaveValidChecksumsAndLengths(Case c)
    {
        var builder = new FrameBuilder().Reset();
        c.Write(builder);
        byte[] frame = builder.Complete().ToArray();

        List<string> kinds = new();
        foreach (int offset in c.IpOffsets)
            kinds = AssertValidFromIp(frame, offset, c.Name);
        Assert.True(kinds.Count == 2, $"{c.Name}: the innermost IP header carries no checked transport ({string.Join(",", kinds)})");

        if (c.Link is { } link)
        {
            // The whole frame, parsed from its link layer, reaches the first IP header at the stated offset.
            var packet = Packet.ParsePacket(link, frame);
            var ip = packet.Extract<IPPacket>();
            Assert.NotNull(ip);
            Assert.Equal(c.IpOffsets[0], ip.BytesSegment.Offset);
        }
    }

    [Fact]
    public void PppoeLengthCoversThePppPayload()
    {
        var builder = new FrameBuilder().Reset();
        Tcp(V4(Eth(builder, 0x8864).PppoeSession(7), 6)).Filler(40);
        byte[] frame = builder.Complete().ToArray();
        var pppoe = Packet.ParsePacket(LinkLayers.Ethernet, frame).Extract<PppoePacket>();
        Assert.NotNull(pppoe);
        Assert.Equal(frame.Length - 14 - 6, pppoe.Length);
    }

    [Fact]
    public void GtpLengthCoversTheInnerPacket()
    {
        var builder = new FrameBuilder().Reset();
        Tcp(V4(OuterUdp(builder, 2152).GtpU(0x1234), 6)).Filler(99);
        byte[] frame = builder.Complete().ToArray();
        // GTP-U header at 42: flags, type, length (bytes after the 8-byte header), TEID.
        Assert.Equal(frame.Length - 42 - 8, frame[44] << 8 | frame[45]);
    }

    [Theory]
    [InlineData(SampleCaptureFormat.Pcap)]
    [InlineData(SampleCaptureFormat.PcapNg)]
    public void SampleCaptureReadByLibpcapHasOnlyValidFrames(SampleCaptureFormat format)
    {
        string path = Path.Combine(RepositoryPaths.NewScratchDirectory(), format == SampleCaptureFormat.Pcap ? "s.pcap" : "s.pcapng");
        long written = SampleCapture.Write(path, format, seed: 7, rounds: 3);

        var seen = new Dictionary<string, int>();
        long read = 0;
        long previousTicks = 0;
        using var device = new CaptureFileReaderDevice(path);
        device.Open();
        while (device.GetNextPacket(out PacketCapture capture) == GetPacketStatus.PacketRead)
        {
            var raw = capture.GetPacket();
            Assert.Equal(LinkLayers.Ethernet, raw.LinkLayerType);
            Assert.Equal(raw.Data.Length, raw.PacketLength);
            long ticks = raw.Timeval.Date.Ticks;
            Assert.True(ticks >= previousTicks, $"packet {read}: time goes backwards");
            previousTicks = ticks;

            var ip = Packet.ParsePacket(LinkLayers.Ethernet, raw.Data).Extract<IPPacket>();
            Assert.NotNull(ip);
            foreach (string kind in AssertValidFromIp(raw.Data, ip.BytesSegment.Offset, $"packet {read}"))
                seen[kind] = seen.GetValueOrDefault(kind) + 1;
            read++;
        }

        Assert.Equal(written, read);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(SampleCapture.StartNanoseconds / 1_000_000).UtcDateTime.Date,
            new DateTime(previousTicks, DateTimeKind.Utc).Date);
        foreach (string kind in new[] { "IPv4", "IPv6", "TCP", "UDP", "ICMP" })
            Assert.True(seen.GetValueOrDefault(kind) > 0, $"the sample has no {kind} packet to check");
    }

    [Fact]
    public void TcpSessionSegmentsAreValidAndSequenced()
    {
        var factory = new PacketFactory(ethernet: true, vlanId: 42);
        var client = new SampleEndpoint(MacA, "2001:db8::1", 40000);
        var server = new SampleEndpoint(MacB, "2001:db8::2", 443);
        var tcp = new TcpSession(factory, client, server, clientIsn: 1000, serverIsn: 50000);

        var syn = Parse(tcp.FromClient(TcpFlag.Syn));
        var synAck = Parse(tcp.FromServer(TcpFlag.Syn | TcpFlag.Ack));
        var data = Parse(tcp.ClientData(new byte[] { 1, 2, 3, 4, 5 }));
        var ack = Parse(tcp.FromServer(TcpFlag.Ack));

        Assert.Equal(1000u, syn.SequenceNumber);
        Assert.Equal(0u, syn.AcknowledgmentNumber);
        Assert.Equal(50000u, synAck.SequenceNumber);
        Assert.Equal(1001u, synAck.AcknowledgmentNumber);
        Assert.Equal(1001u, data.SequenceNumber);
        Assert.Equal(5, data.PayloadData.Length);
        Assert.Equal(1006u, ack.AcknowledgmentNumber);

        TcpPacket Parse(ReadOnlySpan<byte> span)
        {
            byte[] frame = span.ToArray();
            var packet = Packet.ParsePacket(LinkLayers.Ethernet, frame);
            Assert.Equal(42, packet.Extract<Ieee8021QPacket>().VlanIdentifier);
            AssertValidFromIp(frame, 18, "TCP session");
            return packet.Extract<TcpPacket>();
        }
    }

    /// <summary>
    /// Parses <paramref name="frame"/> from <paramref name="offset"/> as raw IP with PacketDotNet and checks the IP
    /// header and the transport header directly inside it (an encapsulated IP header is checked by its own offset).
    /// Returns the kinds of header checked.
    /// </summary>
    private static List<string> AssertValidFromIp(byte[] frame, int offset, string what)
    {
        var kinds = new List<string>();
        int remaining = frame.Length - offset;
        var packet = Packet.ParsePacket(LinkLayers.Raw, frame.AsSpan(offset).ToArray());
        if (packet is RawIPPacket) packet = packet.PayloadPacket;
        switch (packet)
        {
            case IPv4Packet v4:
                Assert.True(v4.ValidIPChecksum, $"{what}: IPv4 header checksum at {offset}");
                Assert.Equal(remaining, v4.TotalLength);
                kinds.Add("IPv4");
                break;
            case IPv6Packet v6:
                Assert.Equal(remaining - 40, v6.PayloadLength);
                kinds.Add("IPv6");
                break;
            default:
                Assert.Fail($"{what}: no IP header at offset {offset} ({packet?.GetType().Name ?? "nothing"})");
                break;
        }

        switch (((IPPacket)packet).PayloadPacket)
        {
            case TcpPacket tcp:
                Assert.True(tcp.ValidTcpChecksum, $"{what}: TCP checksum");
                Assert.Equal(20, tcp.DataOffset * 4);
                kinds.Add("TCP");
                break;
            case UdpPacket udp:
                Assert.True(udp.ValidUdpChecksum, $"{what}: UDP checksum");
                Assert.NotEqual(0, udp.Checksum);
                Assert.Equal(frame.Length, offset + udp.BytesSegment.Offset + udp.Length);
                kinds.Add("UDP");
                break;
            case IcmpV4Packet icmp:
                Assert.True(icmp.ValidIcmpChecksum, $"{what}: ICMP checksum");
                kinds.Add("ICMP");
                break;
            case IcmpV6Packet icmp6:
                Assert.True(icmp6.ValidIcmpChecksum, $"{what}: ICMPv6 checksum");
                kinds.Add("ICMP");
                break;
        }
        return kinds;
    }
}
