using System.Runtime.CompilerServices;
using NFStream.Engine.Capture;

namespace NFStream.Engine.Decoding;

/// <summary>
/// Turns one captured frame into a <see cref="ParsedPacket"/> with NFStream 6.5.4's parsing rules, quirks
/// included (docs/nfstream-semantics.md#packet-parsing): permissive IP detection by version nibble, the innermost
/// 802.1Q VID, 4in4/6in4/4in6/6in6 always decapsulated, GTP-U/TZSP/CAPWAP only when tunnel decoding is on
/// (<see cref="TunnelDecoder"/>), sizes derived from header lengths. Allocation-free; bytes beyond the captured
/// length read as zero.
/// </summary>
/// <remarks>
/// The stages follow NFStream's packet_process: link layer, ethertypes, IP headers, tunnels, then the transport.
/// A tunnel can send the parse back to the link layer (TZSP) or to the IP header (CAPWAP), with every value read
/// so far kept (<see cref="DecodeCursor"/>).
/// </remarks>
public sealed class PacketDecoder
{
    private const ushort EthIp = 0x0800, EthIpv6 = 0x86dd, EthVlan = 0x8100, EthMplsUni = 0x8847,
        EthMplsMulti = 0x8848, EthPppoe = 0x8864;

    private readonly bool decodeTunnels;

    public PacketDecoder(bool decodeTunnels) => this.decodeTunnels = decodeTunnels;

    /// <summary>Decodes a frame; returns <see cref="IgnoreReason.None"/> when the packet belongs to a flow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public IgnoreReason Decode(int linkType, ReadOnlySpan<byte> frame, uint wireLength, ulong timeMs, ref ParsedPacket pkt)
    {
        var p = new FrameBytes(frame);
        uint caplen = (uint)frame.Length;
        pkt = default;
        pkt.TimeMs = timeMs;
        pkt.RawSize = (ushort)wireLength;
        var c = new DecodeCursor { LinkType = linkType };

        var step = TunnelStep.LinkLayer;
        while (true)
        {
            IgnoreReason r;
            if (step == TunnelStep.LinkLayer)
            {
                r = LinkLayer(ref p, caplen, ref c, ref pkt);
                if (r != IgnoreReason.None) return r;
                r = EtherTypes(ref p, caplen, ref c);
                if (r != IgnoreReason.None) return r;
            }
            r = IpHeaders(ref p, caplen, ref c);
            if (r != IgnoreReason.None) return r;
            step = decodeTunnels && c.Protocol == 17
                ? TunnelDecoder.Decode(ref p, caplen, ref c, ref pkt, out r)
                : TunnelStep.Finish;
            if (step == TunnelStep.Ignore) return r;
            if (step == TunnelStep.Finish) break;
        }

        pkt.VlanId = c.VlanId;
        pkt.TunnelId = c.TunnelId;
        ushort ipSize = (ushort)(caplen - c.IpOffset);
        return c.IsIpv4 ? ParseIpv4(ref p, c.IpOffset, ipSize, ref pkt) : ParseIpv6(ref p, c.IpOffset, ipSize, ref pkt);
    }

    /// <summary>
    /// NFStream's packet_datalink_checker: the 28-byte minimum, then the ethertype and IP offset by link type
    /// (docs/nfstream-semantics.md#link-layer). A PPI header is stepped over to the link type it wraps.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static IgnoreReason LinkLayer(ref FrameBytes p, uint caplen, ref DecodeCursor c, ref ParsedPacket pkt)
    {
        while (true)
        {
            if (caplen < c.EthOffset + 28) return IgnoreReason.Truncated;
            uint eth = c.EthOffset;
            switch (c.LinkType)
            {
                case (int)LinkType.Null:
                case (int)LinkType.Loop:
                    // NFStream compares ntohl(family) with 2, so a little-endian AF_INET counts as "IPv6";
                    // the version nibble still decides, but fragments and tunnels are then not looked at.
                    c.Type = p.U32(eth) == 2 ? EthIp : EthIpv6;
                    c.IpOffset = 4 + eth;
                    return IgnoreReason.None;
                case (int)LinkType.PppSerial:
                    c.IpOffset = eth + 4;
                    c.Type = p.U16(eth + 2);
                    return IgnoreReason.None;
                case (int)LinkType.CiscoHdlc:
                case (int)LinkType.Ppp:
                    bool hdlc = p[0] == 0x0f || p[0] == 0x8f;
                    c.IpOffset = eth + (hdlc ? 4u : 2u);
                    c.Type = p.U16(hdlc ? eth + 2 : eth);
                    return IgnoreReason.None;
                case (int)LinkType.Ipv4:
                    c.Type = EthIp;
                    c.IpOffset = eth;
                    return IgnoreReason.None;
                case (int)LinkType.Ipv6:
                    c.Type = EthIpv6;
                    c.IpOffset = eth;
                    return IgnoreReason.None;
                case (int)LinkType.Ethernet:
                    return Ethernet(ref p, ref c, ref pkt);
                case (int)LinkType.LinuxSll:
                    c.Type = p.U16(eth + 14);
                    c.IpOffset = 16 + eth;
                    return IgnoreReason.None;
                case (int)LinkType.LinuxSll2:
                    c.Type = p.U16(eth);
                    c.IpOffset = 20 + eth;
                    return IgnoreReason.None;
                case (int)LinkType.Radiotap:
                    if ((p[eth + 16] & 0x50) == 0x50) return IgnoreReason.LinkLayerControl;
                    return Wifi(ref p, caplen, eth + p.U16Le(eth + 2), ref c.Type, ref c.IpOffset, ref pkt);
                case (int)LinkType.Ieee80211:
                    return Wifi(ref p, caplen, eth, ref c.Type, ref c.IpOffset, ref pkt);
                case (int)LinkType.Ppi:
                    uint ppiLength = p.U16Le(eth + 2);
                    int inner = (int)p.U32Le(eth + 4);
                    if (ppiLength < 8 || inner == (int)LinkType.Ppi) return IgnoreReason.Truncated;
                    c.EthOffset += ppiLength;
                    c.LinkType = inner;
                    continue;
                case (int)LinkType.Raw:
                case (int)LinkType.RawDlt:
                case (int)LinkType.RawDltOpenBsd:
                    c.IpOffset = eth;
                    if (caplen > eth)
                    {
                        int v = p[eth] >> 4;
                        if (v == 4) c.Type = EthIp;
                        if (v == 6) c.Type = EthIpv6;
                    }
                    return IgnoreReason.None;
                default:
                    return IgnoreReason.UnsupportedLinkType;
            }
        }
    }

    /// <summary>
    /// Ethernet II or 802.3: MACs, then the ethertype, or for an 802.3 length an LLC/SNAP header (its protocol
    /// id read without byte swapping, as NFStream does) or spanning tree (ignored).
    /// </summary>
    private static IgnoreReason Ethernet(ref FrameBytes p, ref DecodeCursor c, ref ParsedPacket pkt)
    {
        uint eth = c.EthOffset;
        pkt.DstMac = p.U48(eth);
        pkt.SrcMac = p.U48(eth + 6);
        c.IpOffset = eth + 14;
        int check = p.U16(eth + 12);
        if (check <= 1500) c.PayloadEthernetLength = check;
        else if (check >= 1536) c.Type = (ushort)check;
        if (c.PayloadEthernetLength == 0) return IgnoreReason.None;
        byte dsap = p[c.IpOffset], ssap = p[c.IpOffset + 1];
        if (dsap == 0xAA || ssap == 0xAA)
        {
            c.Type = (ushort)(p[c.IpOffset + 6] | p[c.IpOffset + 7] << 8);
            c.IpOffset += 8;
            return IgnoreReason.None;
        }
        return dsap == 0x42 || ssap == 0x42 ? IgnoreReason.LinkLayerControl : IgnoreReason.None;
    }

    /// <summary>
    /// NFStream's packet_ether_type_checker, repeated while it asks for a recheck: 802.1Q tags (the innermost VID
    /// wins), an MPLS label stack, a PPPoE session header (docs/nfstream-semantics.md#ethertypes).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static IgnoreReason EtherTypes(ref FrameBytes p, uint caplen, ref DecodeCursor c)
    {
        while (true)
        {
            switch (c.Type)
            {
                case EthVlan:
                    if (c.IpOffset + 4 >= caplen) return IgnoreReason.Truncated;
                    do
                    {
                        c.VlanId = (ushort)(p.U16(c.IpOffset) & 0xFFF);
                        c.Type = p.U16(c.IpOffset + 2);
                        c.IpOffset += 4;
                    } while (c.Type == EthVlan && c.IpOffset + 4 < caplen);
                    break;
                case EthMplsUni:
                case EthMplsMulti:
                    if (c.IpOffset + 4 >= caplen) return IgnoreReason.Truncated;
                    uint label = p.U32(c.IpOffset);
                    c.Type = EthIp;
                    c.IpOffset += 4;
                    while ((label & 0x100) == 0 && c.IpOffset + 4 < caplen)
                    {
                        label = p.U32(c.IpOffset);
                        c.IpOffset += 4;
                    }
                    break;
                case EthPppoe:
                    c.Type = EthIp;
                    c.IpOffset += 8;
                    break;
                default:
                    return IgnoreReason.None;
            }
        }
    }

    /// <summary>
    /// NFStream's iph_check: the version nibble decides IPv4 or IPv6 whatever the ethertype; IP-in-IP of either
    /// version is always decapsulated; non-first IPv4 fragments are dropped only under ethertype 0x0800; an IPv6
    /// packet longer than captured, or with unusable extension headers, is dropped (docs/nfstream-semantics.md#ip-layer).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static IgnoreReason IpHeaders(ref FrameBytes p, uint caplen, ref DecodeCursor c)
    {
        while (true)
        {
            uint ip = c.IpOffset;
            if (caplen < ip + 20) return IgnoreReason.Truncated;
            if (c.Type == EthIp)
            {
                c.FragmentOffset = p.U16(ip + 6);
                c.Protocol = p[ip + 9];
            }
            int version = p[ip] >> 4;
            if (version == 4)
            {
                c.IsIpv4 = true;
                c.IpLength = (uint)(p[ip] & 0x0F) * 4;
                byte inner = p[ip + 9];
                if ((inner == 41 || inner == 4) && c.IpLength > 0)
                {
                    c.IpOffset += c.IpLength;
                    continue;
                }
                return (c.FragmentOffset & 0x1FFF) != 0 ? IgnoreReason.Fragment : IgnoreReason.None;
            }
            if (version != 6) return IgnoreReason.NotIp;

            c.IsIpv4 = false;
            if (caplen < ip + 40) return IgnoreReason.Truncated;
            byte next = p[ip + 6];
            ushort payloadLength = p.U16(ip + 4);
            if (caplen < ip + 40 + (uint)payloadLength) return IgnoreReason.MalformedIpv6;
            ushort ipsize = (ushort)(caplen - ip);
            uint l4 = ip + 40;
            ushort l4Length = payloadLength;
            if (!Ipv6ExtensionHeaders.Walk(ref p, (ushort)(ipsize - 40), ref l4, ref l4Length, ref next))
                return IgnoreReason.MalformedIpv6;
            c.Protocol = next;
            c.IpLength = l4Length;
            if (next != 41 && next != 4) return IgnoreReason.None;
            c.IpOffset = l4;
        }
    }

    private static IgnoreReason Wifi(ref FrameBytes p, uint caplen, uint wifiStart, ref ushort type, ref uint ipOffset,
        ref ParsedPacket pkt)
    {
        if (caplen < wifiStart + 24) return IgnoreReason.Truncated;
        int fc = p.U16Le(wifiStart);
        uint wifiLen = 0;
        if (((fc >> 2) & 0x3) != 0x2) return IgnoreReason.LinkLayerControl;
        bool toDs = (fc & 0x0100) != 0, fromDs = (fc & 0x0200) != 0;
        if (toDs != fromDs) wifiLen = 26;
        pkt.SrcMac = p.U48(wifiStart + 10);
        pkt.DstMac = p.U48(wifiStart + 16);
        if (caplen < wifiStart + wifiLen + 8) return IgnoreReason.Truncated;
        uint llc = wifiStart + wifiLen;
        if (p[llc] == 0xAA) type = p.U16(llc + 6);
        ipOffset = llc + 8;
        return IgnoreReason.None;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static IgnoreReason ParseIpv4(ref FrameBytes p, uint ipOffset, ushort ipsize, ref ParsedPacket pkt)
    {
        if (ipsize < 20) return IgnoreReason.MalformedIpv4;
        uint ihl = (uint)(p[ipOffset] & 0x0F) * 4;
        if (ihl > ipsize) return IgnoreReason.MalformedIpv4;
        ushort totLen = p.U16(ipOffset + 2);
        // A total length below the header's own length (0 in captures taken with segmentation offload) is
        // dropped: NFStream's l4 length wraps and fails its max(tot_len, ipsize) check (docs/nfstream-semantics.md#ipv4-lengths).
        if (totLen < ihl) return IgnoreReason.MalformedIpv4;
        ushort l4Len = (ushort)(totLen - ihl);
        pkt.Protocol = p[ipOffset + 9];
        pkt.IpVersion = 4;
        pkt.IpSize = totLen;
        pkt.SrcLo = p.U32(ipOffset + 12);
        pkt.DstLo = p.U32(ipOffset + 16);
        Transport(ref p, ipOffset + ihl, l4Len, ref pkt);
        pkt.IpOffset = (int)ipOffset;
        pkt.IpLength = ipsize;
        return IgnoreReason.None;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static IgnoreReason ParseIpv6(ref FrameBytes p, uint ipOffset, ushort ipsize, ref ParsedPacket pkt)
    {
        if (ipsize < 40) return IgnoreReason.MalformedIpv6;
        byte nxt = p[ipOffset + 6];
        ushort plen = p.U16(ipOffset + 4);
        ushort l4Len = plen;
        if (ipsize < 40 + plen) return IgnoreReason.MalformedIpv6;
        uint l4 = ipOffset + 40;
        if (!Ipv6ExtensionHeaders.Walk(ref p, (ushort)(ipsize - 40), ref l4, ref l4Len, ref nxt))
            return IgnoreReason.MalformedIpv6;
        if (l4 - ipOffset > ipsize) return IgnoreReason.MalformedIpv6;
        pkt.Protocol = nxt;
        pkt.IpVersion = 6;
        pkt.IpSize = plen;
        pkt.SrcHi = p.U64(ipOffset + 8);
        pkt.SrcLo = p.U64(ipOffset + 16);
        pkt.DstHi = p.U64(ipOffset + 24);
        pkt.DstLo = p.U64(ipOffset + 32);
        Transport(ref p, l4, l4Len, ref pkt);
        pkt.IpOffset = (int)ipOffset;
        pkt.IpLength = ipsize;
        return IgnoreReason.None;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transport(ref FrameBytes p, uint l4, ushort l4Len, ref ParsedPacket pkt)
    {
        switch (pkt.Protocol)
        {
            case 6 when l4Len >= 20:
            {
                pkt.SrcPort = p.U16(l4);
                pkt.DstPort = p.U16(l4 + 2);
                int doff = p[l4 + 12] >> 4;
                pkt.PayloadSize = (ushort)Math.Max(0, l4Len - 4 * doff);
                pkt.TransportSize = l4Len;
                pkt.TcpFlags = p[l4 + 13];
                break;
            }
            case 17 when l4Len >= 8:
                pkt.SrcPort = p.U16(l4);
                pkt.DstPort = p.U16(l4 + 2);
                pkt.PayloadSize = l4Len > 8 ? (ushort)(l4Len - 8) : (ushort)0;
                pkt.TransportSize = l4Len;
                break;
            case 1:
            case 58:
                pkt.PayloadSize = l4Len > 8 ? (ushort)(l4Len - 8) : (ushort)0;
                pkt.TransportSize = l4Len;
                break;
        }
    }
}
