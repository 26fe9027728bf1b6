using System.Runtime.CompilerServices;
using NFStream.Engine.Capture;

namespace NFStream.Engine.Decoding;

/// <summary>
/// Turns one captured frame into a <see cref="ParsedPacket"/> with NFStream 6.5.4's parsing rules, quirks
/// included (nfstream-spec.md section 2): permissive IP detection by version nibble, the innermost 802.1Q VID,
/// 4in4/6in4/4in6/6in6 always decapsulated, GTP-U/TZSP/CAPWAP only when tunnel decoding is on, sizes derived
/// from header lengths. Allocation-free; bytes beyond the captured length read as zero.
/// </summary>
public sealed class PacketDecoder
{
    private const ushort EthIp = 0x0800, EthIpv6 = 0x86dd, EthVlan = 0x8100, EthMplsUni = 0x8847,
        EthMplsMulti = 0x8848, EthPppoe = 0x8864;
    private const int GtpUPort = 2152, TzspPort = 37008, CapwapDataPort = 5247;
    private const byte TunnelGtp = 1, TunnelCapwap = 2, TunnelTzsp = 3;

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

        byte tunnelId = 0;
        uint ethOffset = 0;
        ushort type = 0, vlanId = 0, fragOff = 0;
        uint ipOffset = 0, ipLen = 0;
        int pyldEthLen = 0;
        byte proto = 0;
        bool isV4;

    datalink_check:
        if (caplen < ethOffset + 28) return IgnoreReason.Truncated;
        switch (linkType)
        {
            case (int)LinkType.Null:
            case (int)LinkType.Loop:
                // NFStream compares ntohl(family) with 2, so a little-endian AF_INET counts as "IPv6";
                // the version nibble still decides, but fragments and tunnels are then not looked at.
                type = p.U32(ethOffset) == 2 ? EthIp : EthIpv6;
                ipOffset = 4 + ethOffset;
                break;
            case (int)LinkType.PppSerial:
                ipOffset = ethOffset + 4;
                type = p.U16(ethOffset + 2);
                break;
            case (int)LinkType.CiscoHdlc:
            case (int)LinkType.Ppp:
                if (p[0] == 0x0f || p[0] == 0x8f)
                {
                    ipOffset = ethOffset + 4;
                    type = p.U16(ethOffset + 2);
                }
                else
                {
                    ipOffset = ethOffset + 2;
                    type = p.U16(ethOffset);
                }
                break;
            case (int)LinkType.Ipv4:
                type = EthIp;
                ipOffset = ethOffset;
                break;
            case (int)LinkType.Ipv6:
                type = EthIpv6;
                ipOffset = ethOffset;
                break;
            case (int)LinkType.Ethernet:
            {
                pkt.DstMac = p.U48(ethOffset);
                pkt.SrcMac = p.U48(ethOffset + 6);
                ipOffset = ethOffset + 14;
                int check = p.U16(ethOffset + 12);
                if (check <= 1500) pyldEthLen = check;
                else if (check >= 1536) type = (ushort)check;
                if (pyldEthLen != 0)
                {
                    byte dsap = p[ipOffset], ssap = p[ipOffset + 1];
                    if (dsap == 0xAA || ssap == 0xAA)
                    {
                        // NFStream reads the SNAP protocol id without ntohs (byte-swapped on little-endian hosts).
                        type = (ushort)(p[ipOffset + 6] | p[ipOffset + 7] << 8);
                        ipOffset += 8;
                    }
                    else if (dsap == 0x42 || ssap == 0x42)
                    {
                        return IgnoreReason.LinkLayerControl;
                    }
                }
                break;
            }
            case (int)LinkType.LinuxSll:
                type = p.U16(ethOffset + 14);
                ipOffset = 16 + ethOffset;
                break;
            case (int)LinkType.LinuxSll2:
                type = p.U16(ethOffset);
                ipOffset = 20 + ethOffset;
                break;
            case (int)LinkType.Radiotap:
            {
                uint radioLen = p.U16Le(ethOffset + 2);
                if ((p[ethOffset + 16] & 0x50) == 0x50) return IgnoreReason.LinkLayerControl;
                var r = Wifi(ref p, caplen, ethOffset + radioLen, ref type, ref ipOffset, ref pkt);
                if (r != IgnoreReason.None) return r;
                break;
            }
            case (int)LinkType.Ieee80211:
            {
                var r = Wifi(ref p, caplen, ethOffset, ref type, ref ipOffset, ref pkt);
                if (r != IgnoreReason.None) return r;
                break;
            }
            case (int)LinkType.Ppi:
            {
                uint ppiLen = p.U16Le(ethOffset + 2);
                int inner = (int)p.U32Le(ethOffset + 4);
                if (ppiLen < 8 || inner == (int)LinkType.Ppi) return IgnoreReason.Truncated;
                ethOffset += ppiLen;
                linkType = inner;
                goto datalink_check;
            }
            case (int)LinkType.Raw:
            case (int)LinkType.RawDlt:
            case (int)LinkType.RawDltOpenBsd:
                ipOffset = ethOffset;
                if (caplen > ethOffset)
                {
                    int v = p[ethOffset] >> 4;
                    if (v == 4) type = EthIp;
                    if (v == 6) type = EthIpv6;
                }
                break;
            default:
                return IgnoreReason.UnsupportedLinkType;
        }

    ether_type_check:
        switch (type)
        {
            case EthVlan:
                if (ipOffset + 4 >= caplen) return IgnoreReason.Truncated;
                vlanId = (ushort)(p.U16(ipOffset) & 0xFFF);
                type = p.U16(ipOffset + 2);
                ipOffset += 4;
                while (type == EthVlan && ipOffset + 4 < caplen)
                {
                    vlanId = (ushort)(p.U16(ipOffset) & 0xFFF);
                    type = p.U16(ipOffset + 2);
                    ipOffset += 4;
                }
                goto ether_type_check;
            case EthMplsUni:
            case EthMplsMulti:
            {
                if (ipOffset + 4 >= caplen) return IgnoreReason.Truncated;
                uint label = p.U32(ipOffset);
                type = EthIp;
                ipOffset += 4;
                while ((label & 0x100) == 0 && ipOffset + 4 < caplen)
                {
                    label = p.U32(ipOffset);
                    ipOffset += 4;
                }
                goto ether_type_check;
            }
            case EthPppoe:
                type = EthIp;
                ipOffset += 8;
                goto ether_type_check;
        }

    iph_check:
        if (caplen < ipOffset + 20) return IgnoreReason.Truncated;
        if (type == EthIp)
        {
            fragOff = p.U16(ipOffset + 6);
            proto = p[ipOffset + 9];
        }
        int version = p[ipOffset] >> 4;
        if (version == 4)
        {
            isV4 = true;
            ipLen = (uint)(p[ipOffset] & 0x0F) * 4;
            byte v4proto = p[ipOffset + 9];
            if (v4proto == 41 || v4proto == 4)
            {
                ipOffset += ipLen;
                if (ipLen > 0) goto iph_check;
            }
            if ((fragOff & 0x1FFF) != 0) return IgnoreReason.Fragment;
        }
        else if (version == 6)
        {
            isV4 = false;
            if (caplen < ipOffset + 40) return IgnoreReason.Truncated;
            proto = p[ipOffset + 6];
            ushort plen = p.U16(ipOffset + 4);
            ipLen = plen;
            if (caplen < ipOffset + 40 + (uint)plen) return IgnoreReason.MalformedIpv6;
            ushort ipsize = (ushort)(caplen - ipOffset);
            uint l4 = ipOffset + 40;
            ushort l4len = plen;
            if (!Ipv6ExtensionHeaders.Walk(ref p, (ushort)(ipsize - 40), ref l4, ref l4len, ref proto))
                return IgnoreReason.MalformedIpv6;
            ipLen = l4len;
            if (proto == 41 || proto == 4)
            {
                ipOffset = l4;
                goto iph_check;
            }
        }
        else
        {
            return IgnoreReason.NotIp;
        }

        if (decodeTunnels && proto == 17)
        {
            if (caplen < ipOffset + ipLen + 8) return IgnoreReason.MalformedTunnel;
            uint udp = ipOffset + ipLen;
            int sport = p.U16(udp), dport = p.U16(udp + 2);
            if ((sport == GtpUPort || dport == GtpUPort) && ipOffset + ipLen + 8 + 8 < caplen)
            {
                uint offset = udp + 8;
                byte flags = p[offset];
                byte messageType = p[offset + 1];
                bool extError = false;
                if ((flags & 0xE0) >> 5 == 1 && messageType == 0xFF)
                {
                    offset += 8;
                    if ((flags & 0x07) != 0) offset += 4;
                    if ((flags & 0x04) != 0)
                    {
                        while (offset < caplen)
                        {
                            uint extLength = (uint)p[offset] << 2;
                            offset += extLength;
                            if (offset >= caplen || extLength == 0)
                            {
                                extError = true;
                                break;
                            }
                            if (p[offset - 1] == 0) break;
                        }
                    }
                    if (offset < caplen && !extError)
                    {
                        tunnelId = TunnelGtp;
                        ipOffset = offset;
                        int innerVersion = p[ipOffset] >> 4;
                        if (innerVersion == 6)
                        {
                            isV4 = false;
                            if (caplen < ipOffset + 40) return IgnoreReason.Truncated;
                        }
                        else if (innerVersion != 4)
                        {
                            return IgnoreReason.NotIp;
                        }
                        else
                        {
                            isV4 = true;
                            if (caplen < ipOffset + 20) return IgnoreReason.Truncated;
                        }
                    }
                }
            }
            else if (sport == TzspPort || dport == TzspPort)
            {
                if (caplen < ipOffset + ipLen + 8 + 4) return IgnoreReason.MalformedTunnel;
                uint offset = udp + 8;
                byte tzVersion = p[offset];
                byte tzType = p[offset + 1];
                int encapsulates = p.U16(offset + 2);
                tunnelId = TunnelTzsp;
                if (tzVersion == 1 && tzType == 0 && encapsulates == 1)
                {
                    offset += 4;
                    if (offset < caplen)
                    {
                        byte tagType = p[offset];
                        uint tagLen;
                        if (tagType == 0 || tagType == 1)
                        {
                            tagLen = 1;
                        }
                        else
                        {
                            if (offset + 1 >= caplen) return IgnoreReason.MalformedTunnel;
                            tagLen = p[offset + 1]; // NFStream skips len, not 2 + len
                        }
                        offset += tagLen;
                        if (offset >= caplen) return IgnoreReason.MalformedTunnel;
                        ethOffset = offset;
                        goto datalink_check;
                    }
                }
            }
            else if (sport == CapwapDataPort || dport == CapwapDataPort)
            {
                uint offset = udp + 8;
                if (offset + 1 < caplen)
                {
                    byte preamble = p[offset];
                    if ((preamble & 0x0F) == 0)
                    {
                        uint hlen = (uint)(p[offset + 1] & 0xF8) >> 1;
                        offset += hlen;
                        if (offset + 32 < caplen)
                        {
                            pkt.SrcMac = p.U48(offset + 10);
                            pkt.DstMac = p.U48(offset + 16);
                            offset += 24;
                            type = p.U16(offset + 6);
                            ipOffset = offset + 8;
                            tunnelId = TunnelCapwap;
                            goto iph_check;
                        }
                    }
                }
            }
        }

        pkt.VlanId = vlanId;
        pkt.TunnelId = tunnelId;
        ushort ipSize = (ushort)(caplen - ipOffset);
        return isV4 ? ParseIpv4(ref p, ipOffset, ipSize, ref pkt) : ParseIpv6(ref p, ipOffset, ipSize, ref pkt);
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
