namespace NFStream.Engine.Decoding;

/// <summary>
/// What the decoder extracts from one frame: NFStream's nf_packet. A plain struct, filled in place, so the hot
/// path allocates nothing. Addresses are big-endian numbers: IPv4 in <see cref="SrcLo"/> (Hi = 0), IPv6 as two
/// halves. MACs are 48-bit numbers, first byte most significant.
/// </summary>
public struct ParsedPacket
{
    public ulong TimeMs;
    public ulong SrcHi, SrcLo, DstHi, DstLo;
    public ulong SrcMac, DstMac;
    public ushort SrcPort, DstPort;
    public byte Protocol;
    public byte IpVersion;
    public ushort VlanId;
    public byte TunnelId;
    public byte TcpFlags;
    /// <summary>Wire length as NFStream keeps it (uint16, wraps above 65535).</summary>
    public ushort RawSize;
    /// <summary>IPv4 total length; IPv6 payload length.</summary>
    public ushort IpSize;
    public ushort TransportSize;
    public ushort PayloadSize;
    /// <summary>Offset of the (inner) IP header in the frame; the IP content runs to the end of the captured data.</summary>
    public int IpOffset;
    /// <summary>Length of the IP content handed to DPI (uint16, as NFStream).</summary>
    public ushort IpLength;
    /// <summary>0 source to destination of the flow, 1 the reverse; set by the meter.</summary>
    public byte Direction;
    /// <summary>Milliseconds since the flow's previous packet; set by the meter.</summary>
    public ulong DeltaTimeMs;

    /// <summary>The flow-to-meter hash of NFStream's offline fanout (a direction-agnostic sum).</summary>
    public readonly ulong FanoutHash
    {
        get
        {
            ulong s, d;
            if (IpVersion == 6)
            {
                s = (uint)((uint)(SrcLo >> 32) + (uint)SrcLo);
                d = (uint)((uint)(DstLo >> 32) + (uint)DstLo);
            }
            else
            {
                s = SrcLo;
                d = DstLo;
            }
            return (ulong)Protocol + VlanId + s + d + SrcPort + DstPort + TunnelId;
        }
    }
}
