using System.Buffers.Binary;
using System.Net;

namespace NFStream.Engine.Samples;

/// <summary>
/// Builds one frame at a time, outermost header first, into a reusable buffer: link-layer headers, VLAN, MPLS,
/// PPPoE, IPv4/IPv6 (with extension headers, fragments, IP-in-IP), TCP, UDP, ICMP, the GTP-U, TZSP and CAPWAP
/// tunnels, and payload bytes. <see cref="Complete"/> fills in every length and checksum, innermost first.
/// No allocation per frame: one builder writes any number of frames.
/// </summary>
public sealed class FrameBuilder
{
    private enum Fixup : byte { Ipv4, Ipv6, Udp, Tcp, Icmp, Icmpv6, Gtp, Pppoe }

    private readonly byte[] buffer = new byte[65_535 + 512];
    private readonly (Fixup Kind, int At, int Ip)[] fixups = new (Fixup, int, int)[16];
    private int fixupCount;
    private int length;
    private int lastIp = -1;

    /// <summary>Bytes written so far.</summary>
    public int Length => length;

    /// <summary>Starts a new frame.</summary>
    public FrameBuilder Reset()
    {
        length = 0;
        fixupCount = 0;
        lastIp = -1;
        return this;
    }

    // ---- link layers -------------------------------------------------------------------------------------------

    public FrameBuilder Ethernet(ulong destinationMac, ulong sourceMac, ushort etherType)
    {
        Mac(destinationMac);
        Mac(sourceMac);
        return U16(etherType);
    }

    /// <summary>An 802.1Q tag; <paramref name="etherType"/> is the type of what follows it.</summary>
    public FrameBuilder Vlan(ushort vlanId, ushort etherType) => U16((ushort)(vlanId & 0x0FFF)).U16(etherType);

    public FrameBuilder Mpls(uint label, bool bottomOfStack, byte ttl = 64) =>
        U32(label << 12 | (bottomOfStack ? 0x100u : 0u) | ttl);

    /// <summary>A PPPoE session header and the PPP protocol field (0x0021 IPv4, 0x0057 IPv6).</summary>
    public FrameBuilder PppoeSession(ushort sessionId, ushort pppProtocol = 0x0021)
    {
        AddFixup(Fixup.Pppoe, length);
        return U8(0x11).U8(0x00).U16(sessionId).U16(0).U16(pppProtocol);
    }

    /// <summary>The 4-byte NULL/LOOP header: the address family in the byte order the capture's host used.</summary>
    public FrameBuilder NullFamily(uint family, bool bigEndian) => bigEndian ? U32(family) : U32(BinaryPrimitives.ReverseEndianness(family));

    /// <summary>Linux cooked capture v1 (16 bytes).</summary>
    public FrameBuilder LinuxSll(ushort protocol, ulong sourceMac, ushort packetType = 0)
    {
        U16(packetType).U16(1).U16(6);
        Mac(sourceMac);
        return U16(0).U16(protocol);
    }

    /// <summary>Linux cooked capture v2 (20 bytes).</summary>
    public FrameBuilder LinuxSll2(ushort protocol, ulong sourceMac, uint interfaceIndex = 1)
    {
        U16(protocol).U16(0).U32(interfaceIndex).U16(1).U8(0).U8(6);
        Mac(sourceMac);
        return U16(0);
    }

    /// <summary>PPP in HDLC-like framing (address 0xff, control 0x03) as PPP and PPP serial captures carry it.</summary>
    public FrameBuilder PppHdlc(ushort protocol = 0x0021) => U8(0xff).U8(0x03).U16(protocol);

    /// <summary>A Cisco HDLC header (unicast) with an Ethernet type.</summary>
    public FrameBuilder CiscoHdlc(ushort etherType = 0x0800) => U8(0x0f).U8(0x00).U16(etherType);

    /// <summary>A minimal radiotap header (8 bytes, no fields) for an 802.11 data frame.</summary>
    public FrameBuilder Radiotap() => U8(0).U8(0).U16Le(8).U32(0);

    /// <summary>A PPI header (8 bytes, no fields) whose payload has <paramref name="innerLinkType"/>.</summary>
    public FrameBuilder Ppi(uint innerLinkType) => U8(0).U8(0).U16Le(8).U32Le(innerLinkType);

    /// <summary>An 802.11 QoS data frame header (to the AP, 26 bytes) and LLC/SNAP with <paramref name="etherType"/>.</summary>
    public FrameBuilder Wifi80211Data(ulong bssid, ulong sourceMac, ulong destinationMac, ushort etherType)
    {
        U16Le(0x0188);                        // QoS data, to DS
        U16(0);                               // duration
        Mac(bssid);
        Mac(sourceMac);
        Mac(destinationMac);
        U16(0);                               // sequence control
        U16(0);                               // QoS control
        return U8(0xaa).U8(0xaa).U8(0x03).U8(0).U8(0).U8(0).U16(etherType);
    }

    // ---- network layer -----------------------------------------------------------------------------------------

    /// <summary>An IPv4 header (20 bytes, or more with <paramref name="options"/>); lengths and checksum filled in later.</summary>
    public FrameBuilder Ipv4(uint source, uint destination, byte protocol, ushort identification = 0x1234,
        ushort flagsAndFragmentOffset = 0x4000, byte ttl = 64, ReadOnlySpan<byte> options = default)
    {
        int optionWords = (options.Length + 3) / 4;
        lastIp = length;
        AddFixup(Fixup.Ipv4, length);
        U8((byte)(0x40 | (5 + optionWords))).U8(0).U16(0).U16(identification).U16(flagsAndFragmentOffset);
        U8(ttl).U8(protocol).U16(0).U32(source).U32(destination);
        Bytes(options);
        for (int i = options.Length; i < optionWords * 4; i++) U8(0);
        return this;
    }

    public FrameBuilder Ipv4(string source, string destination, byte protocol) =>
        Ipv4(Address4(source), Address4(destination), protocol);

    /// <summary>An IPv6 header; <paramref name="nextHeader"/> is the first extension header or the transport.</summary>
    public FrameBuilder Ipv6(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, byte nextHeader, byte hopLimit = 64)
    {
        lastIp = length;
        AddFixup(Fixup.Ipv6, length);
        U32(0x6000_0000).U16(0).U8(nextHeader).U8(hopLimit);
        Bytes(source[..16]);
        return Bytes(destination[..16]);
    }

    public FrameBuilder Ipv6(string source, string destination, byte nextHeader) =>
        Ipv6(IPAddress.Parse(source).GetAddressBytes(), IPAddress.Parse(destination).GetAddressBytes(), nextHeader);

    /// <summary>An 8-byte IPv6 extension header (hop-by-hop, routing or destination options) with padding.</summary>
    public FrameBuilder Ipv6Options(byte nextHeader) => U8(nextHeader).U8(0).U8(1).U8(4).U32(0);

    /// <summary>An IPv6 fragment header.</summary>
    public FrameBuilder Ipv6Fragment(byte nextHeader, ushort offsetInEightBytes, bool moreFragments, uint identification) =>
        U8(nextHeader).U8(0).U16((ushort)(offsetInEightBytes << 3 | (moreFragments ? 1 : 0))).U32(identification);

    // ---- transport ---------------------------------------------------------------------------------------------

    public FrameBuilder Udp(ushort sourcePort, ushort destinationPort)
    {
        AddFixup(Fixup.Udp, length);
        return U16(sourcePort).U16(destinationPort).U16(0).U16(0);
    }

    public FrameBuilder Tcp(ushort sourcePort, ushort destinationPort, uint sequence, uint acknowledgement,
        TcpFlag flags, ushort window = 64240)
    {
        AddFixup(Fixup.Tcp, length);
        return U16(sourcePort).U16(destinationPort).U32(sequence).U32(acknowledgement)
            .U8(5 << 4).U8((byte)flags).U16(window).U16(0).U16(0);
    }

    /// <summary>ICMP (IPv4) or ICMPv6 echo, by the enclosing IP version.</summary>
    public FrameBuilder IcmpEcho(bool request, ushort identifier, ushort sequence)
    {
        bool v6 = lastIp >= 0 && buffer[lastIp] >> 4 == 6;
        AddFixup(v6 ? Fixup.Icmpv6 : Fixup.Icmp, length);
        byte type = v6 ? (byte)(request ? 128 : 129) : (byte)(request ? 8 : 0);
        return U8(type).U8(0).U16(0).U16(identifier).U16(sequence);
    }

    // ---- tunnels -----------------------------------------------------------------------------------------------

    /// <summary>A GTP-U header (version 1, G-PDU) carrying the IP packet that follows.</summary>
    public FrameBuilder GtpU(uint teid)
    {
        AddFixup(Fixup.Gtp, length);
        return U8(0x30).U8(0xff).U16(0).U32(teid);
    }

    /// <summary>A TZSP header (version 1, received, Ethernet) with an end tag; an Ethernet frame follows.</summary>
    public FrameBuilder Tzsp() => U8(1).U8(0).U16(1).U8(1);

    /// <summary>A CAPWAP data header (8 bytes) and an 802.11 data header with LLC/SNAP, as NFStream reads them.</summary>
    public FrameBuilder CapwapData(ulong sourceMac, ulong destinationMac, ushort etherType = 0x0800)
    {
        U8(0).U8(2 << 3).U16(0).U32(0);       // preamble, HLEN 2 words
        U16Le(0x0208).U16(0);                 // 802.11 data, from DS
        Mac(0x0200_0000_00ff);
        Mac(sourceMac);
        Mac(destinationMac);
        U16(0);
        return U8(0xaa).U8(0xaa).U8(0x03).U8(0).U8(0).U8(0).U16(etherType);
    }

    // ---- bytes -------------------------------------------------------------------------------------------------

    public FrameBuilder Bytes(ReadOnlySpan<byte> data)
    {
        data.CopyTo(buffer.AsSpan(length));
        length += data.Length;
        return this;
    }

    /// <summary><paramref name="count"/> bytes of a repeating filler pattern.</summary>
    public FrameBuilder Filler(int count, byte seed = 0x5a)
    {
        var span = buffer.AsSpan(length, count);
        for (int i = 0; i < span.Length; i++) span[i] = (byte)(seed + i);
        length += count;
        return this;
    }

    public FrameBuilder U8(byte value)
    {
        buffer[length++] = value;
        return this;
    }

    public FrameBuilder U16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(length), value);
        length += 2;
        return this;
    }

    public FrameBuilder U32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(length), value);
        length += 4;
        return this;
    }

    private FrameBuilder U16Le(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(length), value);
        length += 2;
        return this;
    }

    private FrameBuilder U32Le(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(length), value);
        length += 4;
        return this;
    }

    private void Mac(ulong mac)
    {
        for (int i = 5; i >= 0; i--) buffer[length++] = (byte)(mac >> (8 * i));
    }

    public static uint Address4(string address)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (!IPAddress.Parse(address).TryWriteBytes(bytes, out int written) || written != 4)
            throw new ArgumentException($"'{address}' is not an IPv4 address.", nameof(address));
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    private void AddFixup(Fixup kind, int at)
    {
        if (fixupCount == fixups.Length) throw new InvalidOperationException("Too many nested headers in one frame.");
        fixups[fixupCount++] = (kind, at, lastIp);
    }

    // ---- completion --------------------------------------------------------------------------------------------

    /// <summary>Fills in lengths and checksums, innermost header first, and returns the frame.</summary>
    public ReadOnlySpan<byte> Complete()
    {
        var frame = buffer.AsSpan(0, length);
        for (int i = fixupCount - 1; i >= 0; i--)
        {
            var (kind, at, ip) = fixups[i];
            switch (kind)
            {
                case Fixup.Ipv4:
                {
                    int headerLength = (frame[at] & 0x0F) * 4;
                    BinaryPrimitives.WriteUInt16BigEndian(frame[(at + 2)..], (ushort)(length - at));
                    BinaryPrimitives.WriteUInt16BigEndian(frame[(at + 10)..], 0);
                    BinaryPrimitives.WriteUInt16BigEndian(frame[(at + 10)..], Checksum(frame.Slice(at, headerLength), 0));
                    break;
                }
                case Fixup.Ipv6:
                    BinaryPrimitives.WriteUInt16BigEndian(frame[(at + 4)..], (ushort)(length - at - 40));
                    break;
                case Fixup.Udp:
                    BinaryPrimitives.WriteUInt16BigEndian(frame[(at + 4)..], (ushort)(length - at));
                    WriteTransportChecksum(frame, at, ip, 17, 6);
                    break;
                case Fixup.Tcp:
                    WriteTransportChecksum(frame, at, ip, 6, 16);
                    break;
                case Fixup.Icmp:
                    BinaryPrimitives.WriteUInt16BigEndian(frame[(at + 2)..], 0);
                    BinaryPrimitives.WriteUInt16BigEndian(frame[(at + 2)..], Checksum(frame[at..], 0));
                    break;
                case Fixup.Icmpv6:
                    WriteTransportChecksum(frame, at, ip, 58, 2);
                    break;
                case Fixup.Gtp:
                    BinaryPrimitives.WriteUInt16BigEndian(frame[(at + 2)..], (ushort)(length - at - 8));
                    break;
                case Fixup.Pppoe:
                    BinaryPrimitives.WriteUInt16BigEndian(frame[(at + 4)..], (ushort)(length - at - 6));
                    break;
            }
        }
        return frame;
    }

    private static void WriteTransportChecksum(Span<byte> frame, int at, int ip, byte protocol, int checksumOffset)
    {
        BinaryPrimitives.WriteUInt16BigEndian(frame[(at + checksumOffset)..], 0);
        if (ip < 0) return;
        int segmentLength = frame.Length - at;
        uint pseudo = frame[ip] >> 4 == 4
            ? Sum16(frame.Slice(ip + 12, 8))
            : Sum16(frame.Slice(ip + 8, 32));
        pseudo += protocol + (uint)segmentLength;
        ushort checksum = Checksum(frame[at..], pseudo);
        if (protocol == 17 && checksum == 0) checksum = 0xFFFF;
        BinaryPrimitives.WriteUInt16BigEndian(frame[(at + checksumOffset)..], checksum);
    }

    private static uint Sum16(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2) sum += (uint)(data[i] << 8 | data[i + 1]);
        if (i < data.Length) sum += (uint)data[i] << 8;
        return sum;
    }

    private static ushort Checksum(ReadOnlySpan<byte> data, uint initial)
    {
        ulong sum = initial + (ulong)Sum16(data);
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}

/// <summary>TCP header flags.</summary>
[Flags]
public enum TcpFlag : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
    Ece = 0x40,
    Cwr = 0x80,
}
