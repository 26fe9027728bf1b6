using NFStream.Engine;
using NFStream.Engine.Samples;

namespace NFStream.Tests.Engine;

/// <summary>
/// Every link type and encapsulation the module claims, on captures the tests write themselves: a UDP request
/// and its reply must make exactly one flow with the inner endpoints, both directions counted, the raw sizes
/// (accounting mode 0), and the VLAN id, tunnel id and MACs the spec's decoder reports.
/// </summary>
public sealed class LinkTypeAndEncapsulationTests
{
    private const ulong ClientMac = 0x0a00_0000_0001, ServerMac = 0x0a00_0000_0002;
    private const string Client = "10.0.0.1", Server = "10.0.0.2";
    private const ushort ClientPort = 40000, ServerPort = 53;

    /// <summary>Writes what comes before the UDP header (link layer, encapsulation and the flow's IP header).</summary>
    public delegate void Prefix(FrameBuilder b, bool reply);

    public sealed record Case(string Name, int LinkType, Prefix Write, int VlanId = 0, int TunnelId = 0,
        bool Ipv6 = false, bool HasMacs = false, bool DecodeTunnels = true)
    {
        public override string ToString() => Name;
    }

    private static void Ip(FrameBuilder b, bool reply) =>
        b.Ipv4(reply ? Server : Client, reply ? Client : Server, 17);

    private static void Ip6(FrameBuilder b, bool reply) =>
        b.Ipv6(reply ? "2001:db8::2" : "2001:db8::1", reply ? "2001:db8::1" : "2001:db8::2", 17);

    private static FrameBuilder Eth(FrameBuilder b, bool reply, ushort type) =>
        b.Ethernet(reply ? ClientMac : ServerMac, reply ? ServerMac : ClientMac, type);

    private static void Outer(FrameBuilder b, bool reply, ushort sourcePort, ushort destinationPort)
    {
        Eth(b, reply, 0x0800).Ipv4(reply ? "172.16.0.2" : "172.16.0.1", reply ? "172.16.0.1" : "172.16.0.2", 17);
        b.Udp(reply ? destinationPort : sourcePort, reply ? sourcePort : destinationPort);
    }

    public static readonly Case[] Cases =
    {
        new("Ethernet", 1, (b, r) => { Eth(b, r, 0x0800); Ip(b, r); }, HasMacs: true),
        new("Ethernet IPv6", 1, (b, r) => { Eth(b, r, 0x86dd); Ip6(b, r); }, Ipv6: true, HasMacs: true),
        new("802.1Q in 802.1Q (innermost tag)", 1, (b, r) => { Eth(b, r, 0x8100).Vlan(10, 0x8100).Vlan(20, 0x0800); Ip(b, r); }, VlanId: 20, HasMacs: true),
        new("MPLS two labels", 1, (b, r) => { Eth(b, r, 0x8847).Mpls(100, false).Mpls(200, true); Ip(b, r); }, HasMacs: true),
        new("PPPoE session", 1, (b, r) => { Eth(b, r, 0x8864).PppoeSession(7); Ip(b, r); }, HasMacs: true),
        new("Raw IP (101)", 101, Ip),
        new("Raw IP (12)", 12, Ip),
        new("IPv4 (228)", 228, Ip),
        new("IPv6 (229)", 229, Ip6, Ipv6: true),
        new("NULL big-endian family", 0, (b, r) => { b.NullFamily(2, bigEndian: true); Ip(b, r); }),
        new("NULL little-endian family", 0, (b, r) => { b.NullFamily(2, bigEndian: false); Ip(b, r); }),
        new("LOOP (108)", 108, (b, r) => { b.NullFamily(2, bigEndian: true); Ip(b, r); }),
        new("Linux cooked v1 (113)", 113, (b, r) => { b.LinuxSll(0x0800, r ? ServerMac : ClientMac); Ip(b, r); }),
        new("Linux cooked v2 (276)", 276, (b, r) => { b.LinuxSll2(0x0800, r ? ServerMac : ClientMac); Ip(b, r); }),
        new("PPP (9)", 9, (b, r) => { b.U16(0x0021); Ip(b, r); }),
        new("PPP serial (50)", 50, (b, r) => { b.PppHdlc(); Ip(b, r); }),
        new("Cisco HDLC (104)", 104, (b, r) => { b.CiscoHdlc(); Ip(b, r); }),
        new("Radiotap 802.11 (127)", 127, (b, r) => { b.Radiotap().Wifi80211Data(0x0200_0000_0102, r ? ServerMac : ClientMac, r ? ClientMac : ServerMac, 0x0800); Ip(b, r); }, HasMacs: true),
        new("PPI over Ethernet (192)", 192, (b, r) => { b.Ppi(1); Eth(b, r, 0x0800); Ip(b, r); }, HasMacs: true),
        new("IP in IP", 101, (b, r) => { b.Ipv4("172.16.0.1", "172.16.0.2", 4); Ip(b, r); }),
        new("IPv6 hop-by-hop and destination options", 1, (b, r) =>
        {
            Eth(b, r, 0x86dd).Ipv6(r ? "2001:db8::2" : "2001:db8::1", r ? "2001:db8::1" : "2001:db8::2", 0);
            b.Ipv6Options(60).Ipv6Options(17);
        }, Ipv6: true, HasMacs: true),
        new("GTP-U", 1, (b, r) => { Outer(b, r, 2152, 2152); b.GtpU(0x1234); Ip(b, r); }, TunnelId: 1, HasMacs: true),
        new("CAPWAP data", 1, (b, r) => { Outer(b, r, 40002, 5247); b.CapwapData(r ? ServerMac : ClientMac, r ? ClientMac : ServerMac); Ip(b, r); }, TunnelId: 2, HasMacs: true),
        new("TZSP", 1, (b, r) => { Outer(b, r, 40001, 37008); b.Tzsp(); Eth(b, r, 0x0800); Ip(b, r); }, TunnelId: 3, HasMacs: true),
    };

    public static IEnumerable<object[]> CaseData() => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void RequestAndReplyMakeOneFlowWithTheInnerEndpoints(Case c)
    {
        var builder = new FrameBuilder();
        int requestSize = 0, replySize = 0;
        string path = GeneratedCapture.WritePcap(c.LinkType, writer =>
        {
            requestSize = WriteUdp(writer, builder, c, reply: false, GeneratedCapture.T0, 20);
            replySize = WriteUdp(writer, builder, c, reply: true, GeneratedCapture.T0 + 3 * GeneratedCapture.Millisecond, 44);
        });

        var result = GeneratedCapture.Meter(path, new FlowOptions { NDissections = 0, DecodeTunnels = c.DecodeTunnels });

        Assert.Null(result.Error);
        Assert.Equal(0, result.Statistics.PacketsIgnored);
        var flow = Assert.Single(result.Flows);
        Assert.Equal(c.Ipv6 ? "2001:db8::1" : Client, flow.src_ip);
        Assert.Equal(c.Ipv6 ? "2001:db8::2" : Server, flow.dst_ip);
        Assert.Equal(ClientPort, flow.src_port);
        Assert.Equal(ServerPort, flow.dst_port);
        Assert.Equal(17, flow.protocol);
        Assert.Equal(c.Ipv6 ? 6 : 4, flow.ip_version);
        Assert.Equal(c.VlanId, flow.vlan_id);
        Assert.Equal(c.TunnelId, flow.tunnel_id);
        Assert.Equal(1UL, flow.src2dst_packets);
        Assert.Equal(1UL, flow.dst2src_packets);
        Assert.Equal((ulong)requestSize, flow.src2dst_bytes);
        Assert.Equal((ulong)replySize, flow.dst2src_bytes);
        Assert.Equal(3UL, flow.bidirectional_duration_ms);
        if (c.HasMacs) Assert.Equal("0a:00:00:00:00:01", flow.src_mac);
    }

    [Fact]
    public void WithoutTunnelDecodingAGtpFlowIsTheOuterUdp()
    {
        var c = Cases.Single(x => x.Name == "GTP-U");
        var builder = new FrameBuilder();
        string path = GeneratedCapture.WritePcap(1, writer =>
        {
            WriteUdp(writer, builder, c, reply: false, GeneratedCapture.T0, 20);
            WriteUdp(writer, builder, c, reply: true, GeneratedCapture.T0 + GeneratedCapture.Millisecond, 20);
        });
        var flow = Assert.Single(GeneratedCapture.Meter(path, new FlowOptions { NDissections = 0, DecodeTunnels = false }).Flows);
        Assert.Equal("172.16.0.1", flow.src_ip);
        Assert.Equal(2152, flow.dst_port);
        Assert.Equal(0, flow.tunnel_id);
    }

    [Fact]
    public void NonFirstFragmentsAreIgnoredAndCounted()
    {
        var builder = new FrameBuilder();
        string path = GeneratedCapture.WritePcap(1, writer =>
        {
            builder.Reset();
            Eth(builder, false, 0x0800).Ipv4(FrameBuilder.Address4(Client), FrameBuilder.Address4(Server), 17,
                identification: 7, flagsAndFragmentOffset: 0x2000);  // more fragments, offset 0
            writer.WritePacket(GeneratedCapture.T0, builder.Udp(ClientPort, ServerPort).Filler(64).Complete());
            builder.Reset();
            Eth(builder, false, 0x0800).Ipv4(FrameBuilder.Address4(Client), FrameBuilder.Address4(Server), 17,
                identification: 7, flagsAndFragmentOffset: 9);       // offset 72 bytes, last fragment
            writer.WritePacket(GeneratedCapture.T0 + 1000, builder.Filler(40).Complete());
        });
        var result = GeneratedCapture.Meter(path);
        var flow = Assert.Single(result.Flows);
        Assert.Equal(1UL, flow.bidirectional_packets);
        Assert.Equal(ServerPort, flow.dst_port);
        Assert.Equal(1, result.Statistics.Ignored(NFStream.Engine.Decoding.IgnoreReason.Fragment));
    }

    [Fact]
    public void NonIpFramesAreIgnoredWithAReason()
    {
        var builder = new FrameBuilder();
        string path = GeneratedCapture.WritePcap(1, writer =>
        {
            builder.Reset();
            writer.WritePacket(GeneratedCapture.T0, Eth(builder, false, 0x0806).Filler(28).Complete()); // ARP
        });
        var result = GeneratedCapture.Meter(path);
        Assert.Empty(result.Flows);
        Assert.Equal(1, result.Statistics.PacketsRead);
        Assert.Equal(1, result.Statistics.PacketsIgnored);
    }

    private static int WriteUdp(NFStream.Engine.Samples.CaptureWriter writer, FrameBuilder builder, Case c, bool reply,
        long time, int payloadSize)
    {
        builder.Reset();
        c.Write(builder, reply);
        var frame = builder.Udp(reply ? ServerPort : ClientPort, reply ? ClientPort : ServerPort).Filler(payloadSize).Complete();
        writer.WritePacket(time, frame);
        return frame.Length;
    }
}
