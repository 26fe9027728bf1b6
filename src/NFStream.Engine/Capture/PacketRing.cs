using System.Runtime.InteropServices;

namespace NFStream.Engine.Capture;

/// <summary>
/// A bounded single-producer, single-consumer queue of captured packets: fixed slots carved out of one byte
/// slab allocated up front, so the steady state allocates nothing. The capture thread writes, the pipeline
/// thread reads; a packet read stays valid until the next read. When every slot is taken the packet is
/// dropped and counted, so the capture thread never waits for the pipeline.
/// </summary>
public sealed class PacketRing
{
    /// <summary>The slab size the slot count is derived from when none is given.</summary>
    public const int DefaultBudgetBytes = 16 << 20;
    private const int MinSlots = 64, MaxSlots = 16384;

    private readonly byte[] slab;
    private readonly int[] lengths;
    private readonly uint[] wireLengths;
    private readonly ulong[] times;
    private readonly int mask;
    private Indices indices;   // producer and consumer positions on separate cache lines
    private bool holding;      // the consumer holds the slot at the read position

    /// <param name="slotSize">Bytes per packet (the snapshot length); longer packets are cut to it.</param>
    /// <param name="slots">Slot count, rounded down to a power of two; 0 derives it from <see cref="DefaultBudgetBytes"/>.</param>
    public PacketRing(int slotSize, int slots = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slotSize, 1);
        if (slots <= 0) slots = (int)Math.Clamp(DefaultBudgetBytes / (long)slotSize, MinSlots, MaxSlots);
        slots = (int)Math.Clamp(slots, 2, 1 << 20);
        slots = 1 << (31 - int.LeadingZeroCount(slots));   // round down to a power of two
        SlotSize = slotSize;
        Capacity = slots;
        mask = slots - 1;
        slab = GC.AllocateUninitializedArray<byte>(checked(slots * slotSize));
        lengths = new int[slots];
        wireLengths = new uint[slots];
        times = new ulong[slots];
    }

    public int SlotSize { get; }

    public int Capacity { get; }

    /// <summary>Packets dropped because every slot was taken.</summary>
    public long Dropped => Volatile.Read(ref indices.Dropped);

    /// <summary>Packets waiting to be read (approximate while the producer runs).</summary>
    public int Count => (int)(Volatile.Read(ref indices.Head) - Volatile.Read(ref indices.Tail));

    /// <summary>Producer: copies one packet in. False (and counted as dropped) when the ring is full.</summary>
    public bool TryWrite(ReadOnlySpan<byte> data, uint wireLength, ulong timeMs)
    {
        long head = indices.Head;
        if (head - Volatile.Read(ref indices.Tail) >= Capacity)
        {
            Volatile.Write(ref indices.Dropped, indices.Dropped + 1);
            return false;
        }
        int slot = (int)(head & mask);
        int length = Math.Min(data.Length, SlotSize);
        data[..length].CopyTo(slab.AsSpan(slot * SlotSize, length));
        lengths[slot] = length;
        wireLengths[slot] = wireLength;
        times[slot] = timeMs;
        Volatile.Write(ref indices.Head, head + 1);   // publishes the slot
        return true;
    }

    /// <summary>
    /// Consumer: the next packet, valid until the next call (which releases its slot). False when empty.
    /// </summary>
    public bool TryRead(out ReadOnlySpan<byte> data, out uint wireLength, out ulong timeMs)
    {
        long tail = indices.Tail;
        if (holding)
        {
            Volatile.Write(ref indices.Tail, ++tail);   // releases the slot read last time
            holding = false;
        }
        if (tail == Volatile.Read(ref indices.Head))
        {
            data = default;
            wireLength = 0;
            timeMs = 0;
            return false;
        }
        int slot = (int)(tail & mask);
        data = new ReadOnlySpan<byte>(slab, slot * SlotSize, lengths[slot]);
        wireLength = wireLengths[slot];
        timeMs = times[slot];
        holding = true;
        return true;
    }

    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Indices
    {
        [FieldOffset(64)] public long Head;
        [FieldOffset(72)] public long Dropped;
        [FieldOffset(128)] public long Tail;
    }
}
