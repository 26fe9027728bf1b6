namespace NFStream.Engine.Samples;

/// <summary>
/// Writes packets into a capture file through a reusable buffer (no allocation per packet). Timestamps are
/// nanoseconds since the Unix epoch; each format stores them at its own resolution.
/// </summary>
public abstract class CaptureWriter : IDisposable
{
    private readonly Stream stream;
    private readonly bool ownsStream;
    private readonly byte[] record = new byte[65_535 + 64];

    protected CaptureWriter(Stream stream, bool ownsStream, bool bigEndian)
    {
        this.stream = stream;
        this.ownsStream = ownsStream;
        BigEndian = bigEndian;
    }

    /// <summary>The byte order of the file's headers and record fields.</summary>
    protected bool BigEndian { get; }

    protected void U32(Span<byte> at, uint value)
    {
        if (BigEndian) System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(at, value);
        else System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(at, value);
    }

    protected void U16(Span<byte> at, ushort value)
    {
        if (BigEndian) System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(at, value);
        else System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(at, value);
    }

    /// <summary>Packets written so far.</summary>
    public long PacketCount { get; private set; }

    /// <summary>Writes one packet captured on the default (first) interface.</summary>
    public void WritePacket(long timestampNanoseconds, ReadOnlySpan<byte> frame) =>
        WritePacket(0, timestampNanoseconds, frame, frame.Length);

    /// <summary>
    /// Writes one packet. <paramref name="originalLength"/> may exceed the frame's length (a packet cut by the
    /// snapshot length). <paramref name="interfaceId"/> is meaningful in pcapng only.
    /// </summary>
    public void WritePacket(int interfaceId, long timestampNanoseconds, ReadOnlySpan<byte> frame, int originalLength)
    {
        if (originalLength < frame.Length) throw new ArgumentOutOfRangeException(nameof(originalLength));
        int size = EncodePacket(record, interfaceId, timestampNanoseconds, frame, originalLength);
        stream.Write(record, 0, size);
        PacketCount++;
    }

    /// <summary>Encodes one packet record into <paramref name="destination"/>; returns its size.</summary>
    protected abstract int EncodePacket(Span<byte> destination, int interfaceId, long timestampNanoseconds,
        ReadOnlySpan<byte> frame, int originalLength);

    /// <summary>Writes bytes that are not a packet record (file and section headers, other blocks).</summary>
    protected void WriteRaw(ReadOnlySpan<byte> bytes) => stream.Write(bytes);

    public void Flush() => stream.Flush();

    public void Dispose()
    {
        stream.Flush();
        if (ownsStream) stream.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static Stream OpenFile(string path) =>
        new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
}
