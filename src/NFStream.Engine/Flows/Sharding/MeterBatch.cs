using System.Buffers;
using System.Runtime.CompilerServices;
using NFStream.Engine.Decoding;

namespace NFStream.Engine.Flows;

/// <summary>
/// A run of consecutive metered packets handed from the reader to the meters of a sharded run: one
/// <see cref="PacketSlab"/> per meter (the packets whose fanout hash selects it) and the scan points that fall
/// inside the run, which every meter applies. Reused round-robin, so the hand-off allocates nothing per packet.
/// </summary>
internal sealed class MeterBatch
{
    private ScanPoint[] scans = new ScanPoint[64];

    public MeterBatch(int meters, int capacity, bool copyData)
    {
        Slabs = new PacketSlab[meters];
        for (int i = 0; i < meters; i++) Slabs[i] = new PacketSlab(capacity, copyData);
    }

    /// <summary>Global position of the batch's first packet.</summary>
    public long Base { get; private set; }

    /// <summary>Packets in the batch (all slabs together).</summary>
    public int Length { get; set; }

    public PacketSlab[] Slabs { get; }

    public int ScanCount { get; private set; }

    public ref readonly ScanPoint Scan(int index) => ref scans[index];

    /// <summary>The capture the batch's packets come from (a batch never spans two sources): stamped on new flows.</summary>
    public string? Source { get; set; }

    /// <summary>End of input: after this batch the meters flush their caches.</summary>
    public bool Flush { get; set; }

    /// <summary>Meters that have not finished the batch yet.</summary>
    public int Pending;

    public bool IsEmpty => Length == 0 && ScanCount == 0 && !Flush;

    public void AddScan(int after, ulong tick)
    {
        if (ScanCount == scans.Length) Array.Resize(ref scans, scans.Length * 2);
        scans[ScanCount++] = new ScanPoint(after, tick);
    }

    public void Reset(long basePosition)
    {
        Base = basePosition;
        Length = 0;
        ScanCount = 0;
        Flush = false;
        foreach (var slab in Slabs) slab.Reset();
    }

    /// <summary>Gives the slabs' packet-data buffers back to the shared pool (the batch is not used again).</summary>
    public void Release()
    {
        foreach (var slab in Slabs) slab.Release();
    }
}

/// <summary>
/// An idle scan of NFStream's meter loop: it runs after the packet at relative position <see cref="After"/>
/// (-1: before the batch's first packet) with the clock at <see cref="Tick"/>.
/// </summary>
internal readonly record struct ScanPoint(int After, ulong Tick);

/// <summary>
/// One meter's share of a <see cref="MeterBatch"/>: parsed packets by value, their positions, and (when DPI
/// needs them) copies of their IP bytes in one growable buffer. Also the log the meter writes while it
/// processes them.
/// </summary>
/// <remarks>
/// The IP bytes of a batch run to megabytes: the buffer comes from <see cref="ArrayPool{T}.Shared"/> and goes
/// back to it when the run ends, so runs after the first (the next file, the next command) find it ready
/// instead of allocating, zeroing and later collecting it on the large-object heap.
/// </remarks>
internal sealed class PacketSlab
{
    private readonly bool copyData;
    private byte[] data;
    private int dataUsed;

    public PacketSlab(int capacity, bool copyData)
    {
        this.copyData = copyData;
        Packets = new ParsedPacket[capacity];
        Positions = new int[capacity];
        DataOffsets = copyData ? new int[capacity + 1] : Array.Empty<int>();
        data = copyData ? ArrayPool<byte>.Shared.Rent(capacity * 128) : Array.Empty<byte>();
    }

    public readonly ParsedPacket[] Packets;

    /// <summary>Position of each packet relative to the batch's base.</summary>
    public readonly int[] Positions;

    private readonly int[] DataOffsets;

    public int Count { get; private set; }

    public MeterEventLog Log { get; } = new();

    /// <summary>Appends a packet; <paramref name="frame"/> is the captured frame (its IP content is kept when DPI needs it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ref ParsedPacket packet, int position, ReadOnlySpan<byte> frame)
    {
        int i = Count++;
        Positions[i] = position;
        ref var slot = ref Packets[i];
        slot = packet;
        if (!copyData) return;
        // Exactly what the meter hands to DPI (FlowMeter.IpContent), rebased to offset 0 of the copy.
        int offset = Math.Min(packet.IpOffset, frame.Length);
        var ip = frame.Slice(offset, Math.Min(packet.IpLength, frame.Length - offset));
        if (dataUsed + ip.Length > data.Length) Grow(dataUsed + ip.Length);
        ip.CopyTo(data.AsSpan(dataUsed));
        DataOffsets[i] = dataUsed;
        dataUsed += ip.Length;
        DataOffsets[i + 1] = dataUsed;
        slot.IpOffset = 0;
    }

    /// <summary>The bytes to meter packet <paramref name="index"/> with (empty without DPI).</summary>
    public ReadOnlySpan<byte> Frame(int index) =>
        copyData ? data.AsSpan(DataOffsets[index], DataOffsets[index + 1] - DataOffsets[index]) : default;

    private void Grow(int needed)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(data.Length * 2, needed));
        data.AsSpan(0, dataUsed).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(data);
        data = bigger;
    }

    public void Reset()
    {
        Count = 0;
        dataUsed = 0;
        Log.Clear();
    }

    public void Release()
    {
        if (!copyData || data.Length == 0) return;
        ArrayPool<byte>.Shared.Return(data);
        data = Array.Empty<byte>();
    }
}
