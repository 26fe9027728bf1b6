namespace NFStream.Engine.Decoding;

/// <summary>
/// Where <see cref="PacketDecoder"/> is in a frame, and what it has read so far: NFStream's packet_process
/// locals. The tunnel decoders move it (TZSP back to the link layer, CAPWAP back to the IP header), and nothing
/// is reset on the way back, as in NFStream (docs/nfstream-semantics.md#tunnels).
/// </summary>
internal struct DecodeCursor
{
    /// <summary>The link type being parsed: the capture's, or the inner one of a PPI header.</summary>
    public int LinkType;
    public uint EthOffset;
    public uint IpOffset;
    /// <summary>IPv4 header length, or the IPv6 payload length left after the extension headers.</summary>
    public uint IpLength;
    /// <summary>The ethertype in force (0 when the link layer gave none).</summary>
    public ushort Type;
    public ushort VlanId;
    public ushort FragmentOffset;
    /// <summary>An 802.3 length field; once set it stays set, as NFStream's pyld_eth_len.</summary>
    public int PayloadEthernetLength;
    /// <summary>The transport protocol that tunnel decoding looks at (IPv4: read only for ethertype 0x0800).</summary>
    public byte Protocol;
    public bool IsIpv4;
    public byte TunnelId;
}
