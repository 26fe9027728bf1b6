namespace NFStream.Engine.Capture;

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
