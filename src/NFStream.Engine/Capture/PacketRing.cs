using System.Buffers.Binary;

namespace NFStream.Engine.Capture;

/// <summary>
/// A bounded single-producer, single-consumer queue of packets in one preallocated byte ring: the capture
/// thread writes, the pipeline thread reads, nothing is allocated per packet. When it is full the newest packet
/// is dropped and counted (<see cref="Dropped"/>), so the capture thread never waits on the pipeline.
/// </summary>
public sealed class PacketRing
{
    private const int HeaderSize = 24;          // record length, wire length, caplen, (pad), time ms
    private const int WrapMarker = -1;
    private readonly byte[] ring;
    private readonly int mask;
    private long head;                          // written up to (producer)
    private long tail;                          // read up to (consumer)
    private long pendingRelease;                // the record handed out last, released on the next read
    private readonly SemaphoreSlim signal = new(0, int.MaxValue);
    private int waiting;

    /// <param name="capacityBytes">Rounded up to a power of two; at least 1 MiB.</param>
    public PacketRing(int capacityBytes = 32 << 20)
    {
        int size = 1 << 20;
        while (size < capacityBytes) size <<= 1;
        ring = new byte[size];
        mask = size - 1;
    }

    /// <summary>Packets dropped because the ring was full.</summary>
    public long Dropped => Interlocked.Read(ref dropped);
    private long dropped;

    /// <summary>Producer: copies one packet in; false (and counted) when there is no room.</summary>
    public bool TryWrite(ReadOnlySpan<byte> data, uint wireLength, ulong timeMs)
    {
        int recordLength = (HeaderSize + data.Length + 7) & ~7;
        long h = head;
        long free = ring.Length - (h - Volatile.Read(ref tail));
        int offset = (int)(h & mask);
        int toEnd = ring.Length - offset;
        long needed = recordLength + (toEnd < recordLength ? toEnd : 0);
        if (needed > free || recordLength > ring.Length / 2)
        {
            Interlocked.Increment(ref dropped);
            return false;
        }
        if (toEnd < recordLength)
        {
            if (toEnd >= 4) BinaryPrimitives.WriteInt32LittleEndian(ring.AsSpan(offset), WrapMarker);
            h += toEnd;
            offset = 0;
        }
        var slot = ring.AsSpan(offset, recordLength);
        BinaryPrimitives.WriteInt32LittleEndian(slot, recordLength);
        BinaryPrimitives.WriteUInt32LittleEndian(slot[4..], wireLength);
        BinaryPrimitives.WriteInt32LittleEndian(slot[8..], data.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[16..], timeMs);
        data.CopyTo(slot[HeaderSize..]);
        Volatile.Write(ref head, h + recordLength);
        if (Volatile.Read(ref waiting) != 0) signal.Release();
        return true;
    }

    /// <summary>Consumer: the next packet, valid until the next call. False when the ring is empty now.</summary>
    public bool TryRead(out ReadOnlySpan<byte> data, out uint wireLength, out ulong timeMs)
    {
        if (pendingRelease != 0)
        {
            Volatile.Write(ref tail, tail + pendingRelease);
            pendingRelease = 0;
        }
        while (true)
        {
            long t = tail;
            if (t == Volatile.Read(ref head))
            {
                data = default;
                wireLength = 0;
                timeMs = 0;
                return false;
            }
            int offset = (int)(t & mask);
            int toEnd = ring.Length - offset;
            if (toEnd < HeaderSize || BinaryPrimitives.ReadInt32LittleEndian(ring.AsSpan(offset)) == WrapMarker)
            {
                Volatile.Write(ref tail, t + toEnd);
                continue;
            }
            var slot = ring.AsSpan(offset);
            int recordLength = BinaryPrimitives.ReadInt32LittleEndian(slot);
            wireLength = BinaryPrimitives.ReadUInt32LittleEndian(slot[4..]);
            int length = BinaryPrimitives.ReadInt32LittleEndian(slot[8..]);
            timeMs = BinaryPrimitives.ReadUInt64LittleEndian(slot[16..]);
            data = slot.Slice(HeaderSize, length);
            pendingRelease = recordLength;
            return true;
        }
    }

    /// <summary>Consumer: waits until a packet may be there, the timeout passes or the token is cancelled.</summary>
    public void Wait(TimeSpan timeout, CancellationToken cancellation)
    {
        Interlocked.Exchange(ref waiting, 1);
        try
        {
            if (Volatile.Read(ref head) != tail + pendingRelease) return;
            signal.Wait(timeout, cancellation);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Interlocked.Exchange(ref waiting, 0);
            while (signal.CurrentCount > 0) signal.Wait(0);
        }
    }
}
