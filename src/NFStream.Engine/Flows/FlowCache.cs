using System.Numerics;
using System.Runtime.CompilerServices;
using NFStream.Engine.Decoding;

namespace NFStream.Engine.Flows;

/// <summary>
/// The active flows of one meter: a hash table for lookup plus a list in creation order, which is the order in
/// which NFStream's idle scan visits flows and its end-of-input flush emits them (its cache is an OrderedDict
/// that is never reordered on lookup).
/// </summary>
/// <remarks>
/// The table is open addressing with linear probing over (hash, flow) slots of 16 bytes, the key being read from
/// the flow itself: a lookup costs one cache line of slots plus the flow, which the meter touches next anyway.
/// Deletion shifts the following entries back (no tombstones). It grows at half full.
/// </remarks>
internal sealed class FlowCache
{
    private struct Slot
    {
        public NFlow? Flow;
        public int Hash;
    }

    private Slot[] slots;
    private int mask, growAt;
    private NFlow? oldest, newest;

    public FlowCache(int capacity)
    {
        slots = null!;
        Allocate((int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, 8, 1 << 29) * 2));
    }

    public int Count { get; private set; }

    /// <summary>The flow created first among those still cached.</summary>
    public NFlow? Oldest => oldest;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryGet(in FlowKey key, out NFlow flow)
    {
        int hash = key.GetHashCode();
        var table = slots;
        int m = mask;
        for (int i = hash & m; ; i = (i + 1) & m)
        {
            ref var slot = ref table[i];
            var candidate = slot.Flow;
            if (candidate is null)
            {
                flow = null!;
                return false;
            }
            if (slot.Hash == hash && candidate.Key.Equals(key))
            {
                flow = candidate;
                return true;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(NFlow flow)
    {
        if (Count >= growAt) Allocate(slots.Length * 2);
        Insert(flow, flow.Key.GetHashCode());
        Count++;
        flow.Older = newest;
        flow.Newer = null;
        if (newest is null) oldest = flow;
        else newest.Newer = flow;
        newest = flow;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Remove(NFlow flow)
    {
        var table = slots;
        int m = mask;
        int i = flow.Key.GetHashCode() & m;
        while (!ReferenceEquals(table[i].Flow, flow)) i = (i + 1) & m;
        // Backward-shift deletion: move later entries of the probe run into the hole when their home allows it.
        for (int j = (i + 1) & m; ; j = (j + 1) & m)
        {
            ref var next = ref table[j];
            if (next.Flow is null) break;
            int home = next.Hash & m;
            if (((j - home) & m) >= ((j - i) & m))
            {
                table[i] = next;
                i = j;
            }
        }
        table[i] = default;
        Count--;

        if (flow.Older is null) oldest = flow.Newer;
        else flow.Older.Newer = flow.Newer;
        if (flow.Newer is null) newest = flow.Older;
        else flow.Newer.Older = flow.Older;
        flow.Older = flow.Newer = null;
    }

    private void Insert(NFlow flow, int hash)
    {
        var table = slots;
        int m = mask;
        int i = hash & m;
        while (table[i].Flow is not null) i = (i + 1) & m;
        table[i].Flow = flow;
        table[i].Hash = hash;
    }

    private void Allocate(int size)
    {
        var old = slots;
        slots = new Slot[size];
        mask = size - 1;
        growAt = size / 2;
        if (old is null) return;
        foreach (var slot in old)
            if (slot.Flow is not null) Insert(slot.Flow, slot.Hash);
    }
}
