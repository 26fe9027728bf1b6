using System.Runtime.CompilerServices;

namespace NFStream.Engine.Decoding;

/// <summary>What the decoder does after a tunnel header was looked at.</summary>
internal enum TunnelStep : byte
{
    /// <summary>Parse the transport at the cursor: the outer packet, or GTP-U's inner IP header.</summary>
    Finish,
    /// <summary>Parse again from the link layer at the cursor's EthOffset (TZSP carries an Ethernet frame).</summary>
    LinkLayer,
    /// <summary>Parse again from the IP header at the cursor's IpOffset (CAPWAP carries 802.11 and LLC).</summary>
    IpHeader,
    /// <summary>Drop the packet for the reason returned.</summary>
    Ignore,
}

/// <summary>
/// NFStream's tunnel decoding over UDP, done only when tunnel decoding is on (docs/nfstream-semantics.md#tunnels):
/// GTP-U (port 2152), TZSP (37008) and CAPWAP data (5247), each with NFStream's bounds checks and quirks.
/// Allocation-free; reads past the captured length yield zero.
/// </summary>
internal static class TunnelDecoder
{
    private const int GtpUPort = 2152, TzspPort = 37008, CapwapDataPort = 5247;
    public const byte TunnelGtp = 1, TunnelCapwap = 2, TunnelTzsp = 3;

    /// <summary>Looks at the UDP header after the (outer) IP header at the cursor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static TunnelStep Decode(ref FrameBytes p, uint caplen, ref DecodeCursor c, ref ParsedPacket pkt,
        out IgnoreReason reason)
    {
        reason = IgnoreReason.None;
        if (caplen < c.IpOffset + c.IpLength + 8)
        {
            reason = IgnoreReason.MalformedTunnel;
            return TunnelStep.Ignore;
        }
        uint udp = c.IpOffset + c.IpLength;
        int sport = p.U16(udp), dport = p.U16(udp + 2);
        // NFStream's if/else chain: the GTP-U test includes 8 bytes past the UDP header, so a shorter packet on
        // port 2152 still goes on to the TZSP and CAPWAP tests.
        if ((sport == GtpUPort || dport == GtpUPort) && udp + 8 + 8 < caplen)
            return GtpU(ref p, caplen, udp + 8, ref c, out reason);
        if (sport == TzspPort || dport == TzspPort)
            return Tzsp(ref p, caplen, udp + 8, ref c, out reason);
        if (sport == CapwapDataPort || dport == CapwapDataPort)
            return CapwapData(ref p, caplen, udp + 8, ref c, ref pkt);
        return TunnelStep.Finish;
    }

    /// <summary>
    /// GTPv1-U T-PDU: the header (plus the optional fields and extension headers) is skipped and the inner IP
    /// header is used as it is: it does not go back through the IP-header checks (no fragment filter, no IPIP).
    /// </summary>
    private static TunnelStep GtpU(ref FrameBytes p, uint caplen, uint offset, ref DecodeCursor c, out IgnoreReason reason)
    {
        reason = IgnoreReason.None;
        byte flags = p[offset];
        byte messageType = p[offset + 1];
        if ((flags & 0xE0) >> 5 != 1 || messageType != 0xFF) return TunnelStep.Finish;
        offset += 8;
        if ((flags & 0x07) != 0) offset += 4;
        if ((flags & 0x04) != 0 && !SkipGtpExtensions(ref p, caplen, ref offset)) return TunnelStep.Finish;
        if (offset >= caplen) return TunnelStep.Finish;

        c.TunnelId = TunnelGtp;
        c.IpOffset = offset;
        int innerVersion = p[offset] >> 4;
        if (innerVersion == 6)
        {
            c.IsIpv4 = false;
            reason = caplen < offset + 40 ? IgnoreReason.Truncated : IgnoreReason.None;
        }
        else if (innerVersion != 4)
        {
            reason = IgnoreReason.NotIp;
        }
        else
        {
            c.IsIpv4 = true;
            reason = caplen < offset + 20 ? IgnoreReason.Truncated : IgnoreReason.None;
        }
        return reason == IgnoreReason.None ? TunnelStep.Finish : TunnelStep.Ignore;
    }

    /// <summary>Walks GTP extension headers (length in 4-byte units, last byte 0 ends the chain); false when malformed.</summary>
    private static bool SkipGtpExtensions(ref FrameBytes p, uint caplen, ref uint offset)
    {
        while (offset < caplen)
        {
            uint extLength = (uint)p[offset] << 2;
            offset += extLength;
            if (offset >= caplen || extLength == 0) return false;
            if (p[offset - 1] == 0) return true;
        }
        return true;
    }

    /// <summary>
    /// TZSP: tunnel_id 3 as soon as the port matches. A version 1, type 0 (received), Ethernet-carrying header
    /// has its first tag skipped (a TLV by its length only, NFStream's bug) and the link layer parsed again there.
    /// </summary>
    private static TunnelStep Tzsp(ref FrameBytes p, uint caplen, uint offset, ref DecodeCursor c, out IgnoreReason reason)
    {
        reason = IgnoreReason.MalformedTunnel;
        if (caplen < offset + 4) return TunnelStep.Ignore;
        byte version = p[offset];
        byte type = p[offset + 1];
        int encapsulates = p.U16(offset + 2);
        c.TunnelId = TunnelTzsp;
        reason = IgnoreReason.None;
        if (version != 1 || type != 0 || encapsulates != 1) return TunnelStep.Finish;
        offset += 4;
        if (offset >= caplen) return TunnelStep.Finish;

        byte tagType = p[offset];
        uint tagLength;
        if (tagType == 0 || tagType == 1)
        {
            tagLength = 1;
        }
        else
        {
            if (offset + 1 >= caplen)
            {
                reason = IgnoreReason.MalformedTunnel;
                return TunnelStep.Ignore;
            }
            tagLength = p[offset + 1];
        }
        offset += tagLength;
        if (offset >= caplen)
        {
            reason = IgnoreReason.MalformedTunnel;
            return TunnelStep.Ignore;
        }
        c.EthOffset = offset;
        return TunnelStep.LinkLayer;
    }

    /// <summary>
    /// CAPWAP data with a zero preamble: skip HLEN, take the 802.11 addresses as MACs, skip the 802.11 header,
    /// read the ethertype from the LLC/SNAP header and parse again from the IP header.
    /// </summary>
    private static TunnelStep CapwapData(ref FrameBytes p, uint caplen, uint offset, ref DecodeCursor c, ref ParsedPacket pkt)
    {
        if (offset + 1 >= caplen) return TunnelStep.Finish;
        byte preamble = p[offset];
        if ((preamble & 0x0F) != 0) return TunnelStep.Finish;
        uint headerLength = (uint)(p[offset + 1] & 0xF8) >> 1;
        offset += headerLength;
        if (offset + 32 >= caplen) return TunnelStep.Finish;
        pkt.SrcMac = p.U48(offset + 10);
        pkt.DstMac = p.U48(offset + 16);
        offset += 24;
        c.Type = p.U16(offset + 6);
        c.IpOffset = offset + 8;
        c.TunnelId = TunnelCapwap;
        return TunnelStep.IpHeader;
    }
}
