namespace NFStream.Engine.Capture;

/// <summary>
/// One packet as a capture source delivers it. <see cref="Data"/> points into the source's buffer and is valid
/// only until the next read.
/// </summary>
public readonly ref struct PacketRecord
{
    /// <summary>
    /// The largest wire length a file record may plausibly claim (libpcap's MAXIMUM_SNAPLEN); a larger one
    /// (0xFFFFFFFF in a crafted file) is flagged by the readers, counted in <see cref="IWireLengthRepairs"/>.
    /// </summary>
    public const uint MaxWireLength = 262144;

    public PacketRecord(ReadOnlySpan<byte> data, uint wireLength, ulong timeMs, int linkType, long offset)
    {
        Data = data;
        WireLength = wireLength;
        TimeMs = timeMs;
        LinkType = linkType;
        Offset = offset;
    }

    /// <summary>The captured bytes (caplen of them).</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>The original length on the wire.</summary>
    public uint WireLength { get; }

    /// <summary>Timestamp in milliseconds since the epoch, truncated as libpcap and NFStream do.</summary>
    public ulong TimeMs { get; }

    /// <summary>The link type of the interface the packet was captured on.</summary>
    public int LinkType { get; }

    /// <summary>Byte offset of the record in its file (0 for live sources).</summary>
    public long Offset { get; }
}
