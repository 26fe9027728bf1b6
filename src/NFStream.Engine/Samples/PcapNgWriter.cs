using System.Buffers.Binary;

namespace NFStream.Engine.Samples;

/// <summary>
/// Writes pcapng: a section header, interfaces with their own link type and timestamp resolution
/// (if_tsresol, a power of ten), enhanced and simple packet blocks, and arbitrary other blocks. Either byte order.
/// </summary>
public sealed class PcapNgWriter : CaptureWriter
{
    private const uint SectionHeaderBlock = 0x0A0D0D0A, InterfaceBlock = 1, SimplePacketBlock = 3,
        EnhancedPacketBlock = 6;

    private readonly List<(int LinkType, long TicksPerSecond)> interfaces = new();

    public PcapNgWriter(Stream stream, bool bigEndian = false, bool ownsStream = false) : base(stream, ownsStream, bigEndian)
    {
        Span<byte> shb = stackalloc byte[28];
        U32(shb, SectionHeaderBlock);
        U32(shb[4..], 28);
        U32(shb[8..], 0x1A2B3C4D);
        U16(shb[12..], 1);
        U16(shb[14..], 0);
        U32(shb[16..], 0xFFFFFFFF);                // section length unknown
        U32(shb[20..], 0xFFFFFFFF);
        U32(shb[24..], 28);
        WriteRaw(shb);
    }

    public static PcapNgWriter Create(string path, bool bigEndian = false) => new(OpenFile(path), bigEndian, ownsStream: true);

    /// <summary>Adds an interface; returns its id. <paramref name="resolutionDigits"/> is if_tsresol (6 = µs, 9 = ns).</summary>
    public int AddInterface(int linkType, byte resolutionDigits = 6, int snapshotLength = 262_144)
    {
        bool withOption = resolutionDigits != 6;
        int size = 20 + (withOption ? 12 : 0);
        Span<byte> idb = stackalloc byte[size];
        U32(idb, InterfaceBlock);
        U32(idb[4..], (uint)size);
        U16(idb[8..], (ushort)linkType);
        U16(idb[10..], 0);
        U32(idb[12..], (uint)snapshotLength);
        if (withOption)
        {
            U16(idb[16..], 9);                     // if_tsresol
            U16(idb[18..], 1);
            idb[20] = resolutionDigits;
            idb[21] = idb[22] = idb[23] = 0;
            U16(idb[24..], 0);                     // opt_endofopt
            U16(idb[26..], 0);
        }
        U32(idb[(size - 4)..], (uint)size);
        WriteRaw(idb);
        long ticks = 1;
        for (int i = 0; i < resolutionDigits; i++) ticks *= 10;
        interfaces.Add((linkType, ticks));
        return interfaces.Count - 1;
    }

    /// <summary>Writes a simple packet block (no timestamp; interface 0).</summary>
    public void WriteSimplePacket(ReadOnlySpan<byte> frame)
    {
        int padded = (frame.Length + 3) & ~3;
        Span<byte> block = stackalloc byte[16 + padded];
        block.Clear();
        U32(block, SimplePacketBlock);
        U32(block[4..], (uint)block.Length);
        U32(block[8..], (uint)frame.Length);
        frame.CopyTo(block[12..]);
        U32(block[^4..], (uint)block.Length);
        WriteRaw(block);
    }

    /// <summary>Writes a block of any type with the given body (padded), e.g. one a reader must skip.</summary>
    public void WriteBlock(uint type, ReadOnlySpan<byte> body)
    {
        int padded = (body.Length + 3) & ~3;
        var block = new byte[12 + padded];
        U32(block, type);
        U32(block.AsSpan(4), (uint)block.Length);
        body.CopyTo(block.AsSpan(8));
        U32(block.AsSpan(block.Length - 4), (uint)block.Length);
        WriteRaw(block);
    }

    protected override int EncodePacket(Span<byte> destination, int interfaceId, long timestampNanoseconds,
        ReadOnlySpan<byte> frame, int originalLength)
    {
        if ((uint)interfaceId >= (uint)interfaces.Count)
            throw new InvalidOperationException($"Interface {interfaceId} was not added (AddInterface).");
        long ticksPerSecond = interfaces[interfaceId].TicksPerSecond;
        long seconds = Math.DivRem(timestampNanoseconds, 1_000_000_000, out long nanos);
        ulong ticks = (ulong)seconds * (ulong)ticksPerSecond + (ulong)(ticksPerSecond >= 1_000_000_000
            ? nanos * (ticksPerSecond / 1_000_000_000)
            : nanos / (1_000_000_000 / ticksPerSecond));
        int padded = (frame.Length + 3) & ~3;
        int size = 32 + padded;
        U32(destination, EnhancedPacketBlock);
        U32(destination[4..], (uint)size);
        U32(destination[8..], (uint)interfaceId);
        U32(destination[12..], (uint)(ticks >> 32));
        U32(destination[16..], (uint)ticks);
        U32(destination[20..], (uint)frame.Length);
        U32(destination[24..], (uint)originalLength);
        frame.CopyTo(destination[28..]);
        destination.Slice(28 + frame.Length, padded - frame.Length).Clear();
        U32(destination[(28 + padded)..], (uint)size);
        return size;
    }
}
