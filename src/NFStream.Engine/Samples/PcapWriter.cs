using System.Buffers.Binary;

namespace NFStream.Engine.Samples;

/// <summary>Writes classic pcap: either byte order, microsecond or nanosecond timestamps, any link type.</summary>
public sealed class PcapWriter : CaptureWriter
{
    private readonly bool nanoseconds;

    public PcapWriter(Stream stream, int linkType, bool bigEndian = false, bool nanoseconds = false,
        int snapshotLength = 262_144, bool ownsStream = false)
        : base(stream, ownsStream, bigEndian)
    {
        this.nanoseconds = nanoseconds;
        Span<byte> header = stackalloc byte[24];
        U32(header, nanoseconds ? 0xa1b23c4du : 0xa1b2c3d4u);
        U16(header[4..], 2);
        U16(header[6..], 4);
        U32(header[8..], 0);
        U32(header[12..], 0);
        U32(header[16..], (uint)snapshotLength);
        U32(header[20..], (uint)linkType);
        WriteRaw(header);
    }

    public static PcapWriter Create(string path, int linkType, bool bigEndian = false, bool nanoseconds = false) =>
        new(OpenFile(path), linkType, bigEndian, nanoseconds, ownsStream: true);

    protected override int EncodePacket(Span<byte> destination, int interfaceId, long timestampNanoseconds,
        ReadOnlySpan<byte> frame, int originalLength)
    {
        long seconds = Math.DivRem(timestampNanoseconds, 1_000_000_000, out long fraction);
        U32(destination, (uint)seconds);
        U32(destination[4..], (uint)(nanoseconds ? fraction : fraction / 1000));
        U32(destination[8..], (uint)frame.Length);
        U32(destination[12..], (uint)originalLength);
        frame.CopyTo(destination[16..]);
        return 16 + frame.Length;
    }
}
