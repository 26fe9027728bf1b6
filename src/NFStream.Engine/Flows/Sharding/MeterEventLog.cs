namespace NFStream.Engine.Flows;

/// <summary>What happened to a flow in one meter of a sharded run.</summary>
internal enum MeterEventKind : byte
{
    /// <summary>The packet at the position created the flow (it is now last in the meter's creation order).</summary>
    Created,
    /// <summary>The flow's own packet at the position found it idle or active-expired (expiration_id 0 or 1).</summary>
    ExpiredByPacket,
    /// <summary>The meter's cache was full when the packet at the position created a flow (expiration_id 2).</summary>
    Evicted,
    /// <summary>The idle scan at the scan point after the position expired it.</summary>
    Scanned,
    /// <summary>End of input.</summary>
    Flushed,
}

/// <summary>One entry of a <see cref="MeterEventLog"/>.</summary>
internal struct MeterEvent
{
    public NFlow Flow;
    /// <summary>Global position of the metered packet (or of the packet after which the scan ran).</summary>
    public long Position;
    public MeterEventKind Kind;

    /// <summary>
    /// Where the event sits in the single-meter timeline: a packet's own events (2p), then the scan after it
    /// (2p+1); end of input last.
    /// </summary>
    public readonly long Order => Kind switch
    {
        MeterEventKind.Scanned => 2 * Position + 1,
        MeterEventKind.Flushed => long.MaxValue,
        _ => 2 * Position,
    };
}

/// <summary>
/// A meter's record of the flow set's changes during one batch, in the order they happened: the sequencer
/// replays the logs of all meters to rebuild NFStream's single-meter order. A reusable array, so logging
/// allocates nothing once the array has grown.
/// </summary>
internal sealed class MeterEventLog
{
    private MeterEvent[] events = new MeterEvent[256];

    public int Count { get; private set; }

    public ref MeterEvent this[int index] => ref events[index];

    public void Add(NFlow flow, long position, MeterEventKind kind)
    {
        if (Count == events.Length) Array.Resize(ref events, events.Length * 2);
        ref var e = ref events[Count++];
        e.Flow = flow;
        e.Position = position;
        e.Kind = kind;
    }

    /// <summary>Empties the log (and drops its references to flows).</summary>
    public void Clear()
    {
        Array.Clear(events, 0, Count);
        Count = 0;
    }
}
