using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace NFStream.Engine.Capture;

/// <summary>Classic libpcap files: either byte order, microsecond or nanosecond timestamps.</summary>
internal sealed class PcapFileReader : IPacketSource, IHasLinkType, IWireLengthRepairs
{
    private WireLengthFlags wireLengths = new();

    public long WireLengthsClamped => wireLengths.Count;

    public long FirstClampedOffset => wireLengths.FirstOffset;

    private uint CheckWireLength(uint len, uint caplen, long offset) => wireLengths.Check(len, caplen, offset);

    internal const uint MagicMicro = 0xa1b2c3d4, MagicNano = 0xa1b23c4d;
    /// <summary>libpcap refuses records larger than this (MAXIMUM_SNAPLEN).</summary>
    internal const int MaxRecordLength = 262144;

    private readonly FileWindow window;
    private readonly bool swapped, nano;
    private readonly int linkType;

    public PcapFileReader(FileWindow window)
    {
        this.window = window;
        if (!window.Ensure(24))
            throw new CaptureFileException(window.Path, window.Position, "the pcap file header is truncated");
        var header = window.Peek(24);
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
        switch (magic)
        {
            case MagicMicro: break;
            case MagicNano: nano = true; break;
            default:
                swapped = true;
                magic = BinaryPrimitives.ReverseEndianness(magic);
                nano = magic == MagicNano;
                break;
        }
        linkType = (int)(Read32(header.Slice(20)) & 0x03FFFFFF);
        window.Advance(24);
    }

    public string Name => window.Path;
    public long Position => window.Position;
    public long Length => window.Length;
    public int LinkType => linkType;

    private uint Read32(ReadOnlySpan<byte> s) =>
        swapped ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryRead(out PacketRecord packet)
    {
        long offset = window.Position;
        if (!window.Ensure(16))
        {
            if (window.Buffered != 0)
                throw new CaptureFileException(window.Path, offset,
                    $"the capture is truncated: a record header needs 16 bytes, only {window.Buffered} remain");
            packet = default;
            return false;
        }
        var h = window.Peek(16);
        uint sec = Read32(h), frac = Read32(h.Slice(4)), caplen = Read32(h.Slice(8)), len = Read32(h.Slice(12));
        if (caplen > MaxRecordLength)
            throw new CaptureFileException(window.Path, offset,
                $"invalid record: captured length {caplen} exceeds the maximum of {MaxRecordLength}");
        if (!window.Ensure(16 + (int)caplen))
            throw new CaptureFileException(window.Path, offset,
                $"the capture is truncated: the record needs {caplen} bytes of data, only {window.Buffered - 16} remain");
        // libpcap keeps both fields as signed 32-bit values and divides with C's truncation; a fraction of a
        // second outside 0..999999 (seen in fuzzed files) therefore moves the time backwards or forwards.
        long micros = nano ? (int)frac / 1000 : (int)frac;
        ulong timeMs = unchecked((ulong)(long)(int)sec * 1000 + (ulong)(micros / 1000));
        packet = new PacketRecord(window.Peek(16 + (int)caplen).Slice(16), CheckWireLength(len, caplen, offset), timeMs, linkType, offset);
        window.Advance(16 + (int)caplen);
        return true;
    }

    public void Dispose() => window.Dispose();
}
