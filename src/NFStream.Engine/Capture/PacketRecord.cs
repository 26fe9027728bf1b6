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

/// <summary>A source of packets: a capture file or a live interface.</summary>
public interface IPacketSource : IDisposable
{
    /// <summary>A name for messages: the file path or the interface name.</summary>
    string Name { get; }

    /// <summary>Reads the next packet. False at the end. Throws <see cref="CaptureFileException"/> on corrupt input.</summary>
    bool TryRead(out PacketRecord packet);

    /// <summary>Bytes consumed so far (for progress), or 0 when unknown.</summary>
    long Position { get; }

    /// <summary>Total bytes (for progress), or 0 when unknown.</summary>
    long Length { get; }
}

/// <summary>A source whose packets (mostly) share one link type, for messages.</summary>
public interface IHasLinkType
{
    int LinkType { get; }
}
