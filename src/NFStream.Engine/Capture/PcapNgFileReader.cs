using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace NFStream.Engine.Capture;

/// <summary>
/// pcapng files: section header blocks in either byte order, interface description blocks with their own link
/// types, if_tsresol and if_tsoffset, enhanced, simple and obsolete packet blocks; every other block is skipped.
/// Timestamps are reduced to microseconds the way libpcap does, then truncated to milliseconds.
/// </summary>
internal sealed class PcapNgFileReader : IPacketSource, IHasLinkType, IWireLengthRepairs
{
    private WireLengthFlags wireLengths = new();

    public long WireLengthsClamped => wireLengths.Count;

    public long FirstClampedOffset => wireLengths.FirstOffset;

    private uint CheckWireLength(uint len, uint caplen, long offset) => wireLengths.Check(len, caplen, offset);

    internal const uint SectionHeaderType = 0x0A0D0D0A;
    private const uint ByteOrderMagic = 0x1A2B3C4D;
    private const uint InterfaceDescriptionType = 1, ObsoletePacketType = 2, SimplePacketType = 3,
        EnhancedPacketType = 6;
    /// <summary>libpcap's upper bound on a block (16 MiB); larger lengths are corrupt.</summary>
    private const int MaxBlockLength = 16 * 1024 * 1024;

    private readonly FileWindow window;
    private bool swapped;
    private readonly List<Interface> interfaces = new();

    private readonly struct Interface
    {
        public Interface(int linkType, uint snapLength, ulong unitsPerSecond, long offsetSeconds)
        {
            LinkType = linkType;
            SnapLength = snapLength;
            UnitsPerSecond = unitsPerSecond;
            OffsetSeconds = offsetSeconds;
        }

        public int LinkType { get; }
        public uint SnapLength { get; }
        public ulong UnitsPerSecond { get; }
        public long OffsetSeconds { get; }
    }

    public PcapNgFileReader(FileWindow window)
    {
        this.window = window;
    }

    public string Name => window.Path;
    public long Position => window.Position;
    public long Length => window.Length;

    /// <summary>The link type of the first interface, or -1 before one is seen.</summary>
    public int LinkType => lastUnsupported >= 0 ? lastUnsupported : interfaces.Count > 0 ? interfaces[0].LinkType : -1;

    private int lastUnsupported = -1;

    private uint R32(ReadOnlySpan<byte> s, int at) => swapped
        ? BinaryPrimitives.ReadUInt32BigEndian(s.Slice(at))
        : BinaryPrimitives.ReadUInt32LittleEndian(s.Slice(at));

    private ushort R16(ReadOnlySpan<byte> s, int at) => swapped
        ? BinaryPrimitives.ReadUInt16BigEndian(s.Slice(at))
        : BinaryPrimitives.ReadUInt16LittleEndian(s.Slice(at));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryRead(out PacketRecord packet)
    {
        while (true)
        {
            long offset = window.Position;
            if (!window.Ensure(12))
            {
                if (window.Buffered != 0)
                    throw Corrupt(offset, $"the capture is truncated: a block header needs 12 bytes, only {window.Buffered} remain");
                packet = default;
                return false;
            }
            var head = window.Peek(12);
            uint rawType = BinaryPrimitives.ReadUInt32LittleEndian(head);
            if (rawType == SectionHeaderType)
            {
                uint bom = BinaryPrimitives.ReadUInt32LittleEndian(head.Slice(8));
                if (bom == ByteOrderMagic) swapped = false;
                else if (bom == BinaryPrimitives.ReverseEndianness(ByteOrderMagic)) swapped = true;
                else throw Corrupt(offset, "a section header block has an unknown byte-order magic");
                interfaces.Clear();
            }
            uint type = R32(head, 0);
            uint total = R32(head, 4);
            if (total < 12 || total % 4 != 0 || total > MaxBlockLength)
                throw Corrupt(offset, $"block of type 0x{type:x} has an invalid length {total}");
            if (!window.Ensure((int)total))
                throw Corrupt(offset, $"the capture is truncated: a block of {total} bytes has only {window.Buffered} left");
            var block = window.Peek((int)total);
            if (R32(block, (int)total - 4) != total)
                throw Corrupt(offset, $"block of type 0x{type:x} has mismatched leading and trailing lengths");
            var body = block.Slice(8, (int)total - 12);
            switch (type)
            {
                case SectionHeaderType:
                    if (body.Length < 16) throw Corrupt(offset, "the section header block is too short");
                    break;
                case InterfaceDescriptionType:
                    ReadInterface(body, offset);
                    break;
                case EnhancedPacketType:
                case ObsoletePacketType:
                    packet = ReadPacketBlock(body, type, offset);
                    window.Advance((int)total);
                    return true;
                case SimplePacketType:
                {
                    if (body.Length < 4) throw Corrupt(offset, "a simple packet block is too short");
                    var iface = InterfaceFor(0, offset);
                    uint len = R32(body, 0);
                    uint caplen = Math.Min(len, (uint)body.Length - 4);
                    if (iface.SnapLength != 0) caplen = Math.Min(caplen, iface.SnapLength);
                    packet = new PacketRecord(body.Slice(4, (int)caplen), CheckWireLength(len, caplen, offset), 0, iface.LinkType, offset);
                    window.Advance((int)total);
                    return true;
                }
            }
            window.Advance((int)total);
        }
    }

    /// <summary>
    /// An enhanced packet block, or the obsolete packet block it replaced: the same layout after the interface id,
    /// which the obsolete block holds in 16 bits (followed by a 16-bit drop count) instead of 32.
    /// </summary>
    private PacketRecord ReadPacketBlock(ReadOnlySpan<byte> body, uint type, long offset)
    {
        string name = type == EnhancedPacketType ? "an enhanced packet block" : "an obsolete packet block";
        if (body.Length < 20) throw Corrupt(offset, $"{name} is too short");
        uint ifId = type == EnhancedPacketType ? R32(body, 0) : R16(body, 0);
        uint caplen = R32(body, 12), len = R32(body, 16);
        if (caplen > body.Length - 20) throw Corrupt(offset, $"{name} claims {caplen} captured bytes but holds {body.Length - 20}");
        var iface = InterfaceFor(ifId, offset);
        ulong ts = (ulong)R32(body, 4) << 32 | R32(body, 8);
        return new PacketRecord(body.Slice(20, (int)caplen), CheckWireLength(len, caplen, offset), ToMs(ts, iface), iface.LinkType, offset);
    }

    private Interface InterfaceFor(uint id, long offset) => id < interfaces.Count
        ? interfaces[(int)id]
        : throw Corrupt(offset, $"a packet refers to interface {id}, but only {interfaces.Count} are described");

    private void ReadInterface(ReadOnlySpan<byte> body, long offset)
    {
        if (body.Length < 8) throw Corrupt(offset, "an interface description block is too short");
        int linkType = R16(body, 0);
        uint snap = R32(body, 4);
        ulong units = 1_000_000;
        long tsOffset = 0;
        var options = body.Slice(8);
        while (options.Length >= 4)
        {
            int code = R16(options, 0), length = R16(options, 2);
            if (code == 0 || 4 + length > options.Length) break;
            var value = options.Slice(4, length);
            if (code == 9 && length >= 1)
            {
                byte r = value[0];
                int exponent = r & 0x7F;
                if ((r & 0x80) != 0)
                {
                    if (exponent > 63) throw Corrupt(offset, $"if_tsresol 2^-{exponent} is out of range");
                    units = 1UL << exponent;
                }
                else
                {
                    if (exponent > 19) throw Corrupt(offset, $"if_tsresol 10^-{exponent} is out of range");
                    units = 1;
                    for (int i = 0; i < exponent; i++) units *= 10;
                }
            }
            else if (code == 14 && length >= 8)
            {
                tsOffset = (long)(swapped ? BinaryPrimitives.ReadUInt64BigEndian(value) : BinaryPrimitives.ReadUInt64LittleEndian(value));
            }
            options = options.Slice(4 + ((length + 3) & ~3));
        }
        interfaces.Add(new Interface(linkType, snap, units, tsOffset));
        if (!LinkTypes.IsSupported(linkType)) lastUnsupported = linkType;
    }

    /// <summary>libpcap's conversion: whole seconds, then the fraction scaled to microseconds, then ms.</summary>
    private static ulong ToMs(ulong ts, in Interface iface)
    {
        ulong units = iface.UnitsPerSecond;
        ulong sec = ts / units, frac = ts % units;
        ulong micros;
        if (units == 1_000_000) micros = frac;
        else if (units > 1_000_000 && units % 1_000_000 == 0) micros = frac / (units / 1_000_000);
        else if (units < 1_000_000 && 1_000_000 % units == 0) micros = frac * (1_000_000 / units);
        else micros = (ulong)((UInt128)frac * 1_000_000 / units);
        sec = (ulong)((long)sec + iface.OffsetSeconds);
        return sec * 1000 + micros / 1000;
    }

    private CaptureFileException Corrupt(long offset, string problem) => new(window.Path, offset, problem);

    public void Dispose() => window.Dispose();
}
