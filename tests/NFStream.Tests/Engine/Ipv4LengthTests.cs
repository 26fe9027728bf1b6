using System.Buffers.Binary;
using NFStream.Engine;
using NFStream.Engine.Decoding;
using NFStream.Engine.Samples;

namespace NFStream.Tests.Engine;

/// <summary>
/// IPv4 total lengths that disagree with the header (docs/nfstream-semantics.md#ipv4-lengths). Captures taken on a
/// host with TCP segmentation offload hold the kernel's large segments with a total length of 0 (tcpdump prints
/// "bad-len 0"): NFStream drops them, because tot_len - ihl*4 wraps and fails its max(tot_len, ipsize) check, so
/// they must count as ignored, not in the flow.
/// </summary>
public sealed class Ipv4LengthTests
{
    private const ulong ClientMac = 0x0a00_0000_0001, ServerMac = 0x0a00_0000_0002;
    private const string Client = "10.0.0.1", Server = "10.0.0.2";
    private const ushort ClientPort = 40000, ServerPort = 443;
    private const int IpAt = 14;

    /// <summary>A TCP frame over Ethernet; <paramref name="totalLength"/> replaces the header's total length when given.</summary>
    private static byte[] TcpFrame(FrameBuilder b, bool fromServer, TcpFlag flags, int payload, int? totalLength = null)
    {
        b.Reset();
        b.Ethernet(fromServer ? ClientMac : ServerMac, fromServer ? ServerMac : ClientMac, 0x0800)
            .Ipv4(fromServer ? Server : Client, fromServer ? Client : Server, 6)
            .Tcp(fromServer ? ServerPort : ClientPort, fromServer ? ClientPort : ServerPort, 1, 1, flags)
            .Filler(payload);
        byte[] frame = b.Complete().ToArray();
        if (totalLength is int t) BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(IpAt + 2), (ushort)t);
        return frame;
    }

    [Fact]
    public void OffloadedSegmentsWithTotalLengthZeroAreIgnoredNotMetered()
    {
        var b = new FrameBuilder();
        long metered = 0, meteredServer = 0;
        int normal = 0;
        string path = GeneratedCapture.WritePcap(1, writer =>
        {
            long t = GeneratedCapture.T0;
            void Write(byte[] frame, bool counts, bool fromServer)
            {
                writer.WritePacket(t, frame);
                t += GeneratedCapture.Millisecond;
                if (!counts) return;
                normal++;
                metered += frame.Length;
                if (fromServer) meteredServer += frame.Length;
            }
            Write(TcpFrame(b, false, TcpFlag.Syn, 0), true, false);
            Write(TcpFrame(b, true, TcpFlag.Syn | TcpFlag.Ack, 0), true, true);
            Write(TcpFrame(b, false, TcpFlag.Ack, 0), true, false);
            Write(TcpFrame(b, false, TcpFlag.Psh | TcpFlag.Ack, 300), true, false);
            for (int i = 0; i < 3; i++)
            {
                // The server's stack hands 3 MSS to the NIC at once: the capture sees one large frame, length 0.
                Write(TcpFrame(b, true, TcpFlag.Ack, 3 * 1448, totalLength: 0), false, true);
                Write(TcpFrame(b, false, TcpFlag.Ack, 0), true, false);
            }
            Write(TcpFrame(b, true, TcpFlag.Psh | TcpFlag.Ack, 500), true, true);
            Write(TcpFrame(b, false, TcpFlag.Fin | TcpFlag.Ack, 0), true, false);
        });

        var result = GeneratedCapture.Meter(path);

        Assert.Null(result.Error);
        var flow = Assert.Single(result.Flows);
        Assert.Equal((ulong)normal, flow.bidirectional_packets);
        Assert.Equal((ulong)metered, flow.bidirectional_bytes);
        Assert.Equal(2UL, flow.dst2src_packets);
        Assert.Equal((ulong)meteredServer, flow.dst2src_bytes);
        Assert.Equal(3, result.Statistics.Ignored(IgnoreReason.MalformedIpv4));
        Assert.Equal(3, result.Statistics.PacketsIgnored);
        Assert.Equal(normal, result.Statistics.PacketsMetered);
    }

    [Fact]
    public void AnIgnoredOffloadedSegmentDoesNotMoveTheClock()
    {
        // An ignored packet is no clock tick in NFStream: a segment stamped far past the idle timeout, between two
        // packets of a flow, must neither expire that flow nor push the next packet's time forward.
        var b = new FrameBuilder();
        string path = GeneratedCapture.WritePcap(1, writer =>
        {
            writer.WritePacket(GeneratedCapture.T0, TcpFrame(b, false, TcpFlag.Syn, 0));
            writer.WritePacket(GeneratedCapture.T0 + 500 * GeneratedCapture.Second, TcpFrame(b, true, TcpFlag.Ack, 4000, totalLength: 0));
            writer.WritePacket(GeneratedCapture.T0 + GeneratedCapture.Second, TcpFrame(b, true, TcpFlag.Syn | TcpFlag.Ack, 0));
        });

        var result = GeneratedCapture.Meter(path);

        var flow = Assert.Single(result.Flows);
        Assert.Equal(2UL, flow.bidirectional_packets);
        Assert.Equal(1000UL, flow.bidirectional_duration_ms);
        Assert.Equal(1, result.Statistics.Ignored(IgnoreReason.MalformedIpv4));
    }

    public static TheoryData<int, int, bool> Lengths => new()
    {
        // option bytes, total length, metered?
        { 0, 0, false },
        { 0, 19, false },
        { 0, 20, true },     // header only: l4 length 0, so no ports, as NFStream
        { 0, 60, true },
        { 4, 23, false },    // below a 24-byte header
        { 4, 24, true },
        { 0, 65535, true },  // longer than captured: truncated IPv4 is kept
    };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ATotalLengthBelowTheHeaderLengthIsDropped(int optionBytes, int totalLength, bool metered)
    {
        var b = new FrameBuilder();
        b.Ipv4(FrameBuilder.Address4(Client), FrameBuilder.Address4(Server), 6, options: new byte[optionBytes])
            .Tcp(ClientPort, ServerPort, 1, 1, TcpFlag.Ack).Filler(20);
        byte[] frame = b.Complete().ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)totalLength);
        var packet = new ParsedPacket();

        var reason = new PacketDecoder(decodeTunnels: true).Decode(101, frame, (uint)frame.Length, 0, ref packet);

        Assert.Equal(metered ? IgnoreReason.None : IgnoreReason.MalformedIpv4, reason);
        if (!metered) return;
        int l4 = totalLength - 20 - optionBytes;
        Assert.Equal(totalLength, packet.IpSize);
        Assert.Equal(l4, packet.TransportSize);
        Assert.Equal(l4 >= 20 ? ClientPort : 0, packet.SrcPort);
    }

    [Fact]
    public void OnlyTheInnermostHeaderOfIpInIpIsLengthChecked()
    {
        // NFStream jumps from an outer IPv4 header carrying IPIP straight to the inner one: the outer total length
        // is never read, so an outer length of 0 keeps the packet, and an inner one of 0 drops it.
        var decoder = new PacketDecoder(decodeTunnels: true);
        foreach (bool outerZero in new[] { true, false })
        {
            var b = new FrameBuilder();
            b.Ipv4("172.16.0.1", "172.16.0.2", 4).Ipv4(Client, Server, 17).Udp(ClientPort, 53).Filler(12);
            byte[] frame = b.Complete().ToArray();
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(outerZero ? 2 : 22), 0);
            var packet = new ParsedPacket();

            var reason = decoder.Decode(101, frame, (uint)frame.Length, 0, ref packet);

            Assert.Equal(outerZero ? IgnoreReason.None : IgnoreReason.MalformedIpv4, reason);
            if (outerZero) Assert.Equal(53, packet.DstPort);
        }
    }
}
