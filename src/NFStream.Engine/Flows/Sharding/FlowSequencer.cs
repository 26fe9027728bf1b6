using System.Runtime.CompilerServices;
using NFStream.Engine.Decoding;

namespace NFStream.Engine.Flows;

/// <summary>
/// Rebuilds NFStream's single-meter output order from the logs of several meters, so a sharded run emits the
/// same flows, with the same ids, in the same order as one meter.
/// </summary>
/// <remarks>
/// Why this works. A flow's values never depend on when an idle flow is removed: once it has been idle for
/// the idle timeout its next packet would expire it uncounted, so a scan, that packet, or the end of input
/// all emit the same record. Sharding therefore changes only the moment a flow leaves, and that moment is
/// recomputed here. The sequencer keeps NFStream's single cache order (all flows in creation order, as the
/// meters' <see cref="MeterEventKind.Created"/> events give it) and replays each event in the packets' order:
/// <list type="bullet">
/// <item>a flow expired by its own packet (idle or active) or evicted leaves at once;</item>
/// <item>at each scan point the head of the single cache leaves while it is idle, at most 1000 per scan, as
/// NFStream's scan does. Meters scan at the same points with no budget, so a flow idle there has always
/// already ended in its meter (its final last-seen time is known); a flow still live in its meter is not idle;</item>
/// <item>a flow that ended in its meter but is still held back in the single order (behind an older active
/// flow) leaves when a packet re-creates its key, as NFStream's per-packet idle check would expire it;</item>
/// <item>at the end of input what remains leaves in creation order.</item>
/// </list>
/// The one exception is the cache bound: each meter evicts from its own share of -MaxActiveFlows.
/// </remarks>
internal sealed class FlowSequencer
{
    private const int ScanBudget = 1000;
    private const byte Live = 0, Ended = 1, Held = 2, Emitted = 3;

    private readonly ulong idleMs;
    private readonly Queue<NFlow> output = new();
    /// <summary>Flows that ended in their meter but are still held back in the single order, by key.</summary>
    private readonly Dictionary<FlowKey, NFlow> held = new();
    /// <summary>Flows ended by the current scan point, not yet known to be held back.</summary>
    private readonly List<NFlow> endedByScan = new();
    private int[] cursors = Array.Empty<int>();
    private NFlow? oldest, newest;
    private long nextId;

    public FlowSequencer(ulong idleMs) => this.idleMs = idleMs;

    /// <summary>Flows in the single-meter cache right now.</summary>
    public int Count { get; private set; }

    public int Pending => output.Count;

    public bool TryTake(out NFlow flow) => output.TryDequeue(out flow!);

    /// <summary>Replays one batch that every meter has finished.</summary>
    public void Sequence(MeterBatch batch)
    {
        var slabs = batch.Slabs;
        if (cursors.Length != slabs.Length) cursors = new int[slabs.Length];
        Array.Clear(cursors);
        for (int s = 0; s < batch.ScanCount; s++)
        {
            ref readonly var scan = ref batch.Scan(s);
            Replay(slabs, 2 * (batch.Base + scan.After) + 1);
            Scan(scan.Tick);
            HoldBack();
        }
        Replay(slabs, long.MaxValue);
        HoldBack();
        if (batch.Flush) FlushAll();
    }

    /// <summary>Applies, in single-meter order, every logged event up to <paramref name="limit"/> (inclusive).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Replay(PacketSlab[] slabs, long limit)
    {
        while (true)
        {
            int best = -1;
            long bestOrder = 0;
            for (int m = 0; m < slabs.Length; m++)
            {
                var log = slabs[m].Log;
                if (cursors[m] >= log.Count) continue;
                long order = log[cursors[m]].Order;
                if (order <= limit && (best < 0 || order < bestOrder))
                {
                    best = m;
                    bestOrder = order;
                }
            }
            if (best < 0) return;
            Apply(ref slabs[best].Log[cursors[best]++]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Apply(ref MeterEvent e)
    {
        var flow = e.Flow;
        switch (e.Kind)
        {
            case MeterEventKind.Created:
                // NFStream's cache still holds an idle flow of this key: this packet expires it (idle, 0).
                if (held.Count != 0 && held.Remove(flow.Key, out var idle)) Leave(idle);
                Append(flow);
                break;
            case MeterEventKind.ExpiredByPacket:
            case MeterEventKind.Evicted:
                if (flow.SeqState != Emitted) Leave(flow);
                break;
            case MeterEventKind.Scanned:
                flow.SeqState = Ended;
                endedByScan.Add(flow);
                break;
            case MeterEventKind.Flushed:
                flow.SeqState = Ended;
                break;
        }
    }

    /// <summary>NFStream's idle scan over the single cache, oldest first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Scan(ulong tick)
    {
        if (tick < idleMs) return;
        ulong idleBefore = tick - idleMs;
        for (int n = 0; n < ScanBudget && oldest is { } flow; n++)
        {
            if (flow.SeqState == Live || idleBefore < flow.BiLast) return;
            if (flow.SeqState == Held) held.Remove(flow.Key);
            Leave(flow);
        }
    }

    private void HoldBack()
    {
        foreach (var flow in endedByScan)
        {
            if (flow.SeqState != Ended) continue;
            flow.SeqState = Held;
            held.Add(flow.Key, flow);
        }
        endedByScan.Clear();
    }

    private void FlushAll()
    {
        while (oldest is { } flow) Leave(flow);
        held.Clear();
    }

    private void Append(NFlow flow)
    {
        flow.SeqState = Live;
        flow.SeqOlder = newest;
        flow.SeqNewer = null;
        if (newest is null) oldest = flow;
        else newest.SeqNewer = flow;
        newest = flow;
        Count++;
    }

    private void Leave(NFlow flow)
    {
        if (flow.SeqOlder is null) oldest = flow.SeqNewer;
        else flow.SeqOlder.SeqNewer = flow.SeqNewer;
        if (flow.SeqNewer is null) newest = flow.SeqOlder;
        else flow.SeqNewer.SeqOlder = flow.SeqOlder;
        flow.SeqOlder = flow.SeqNewer = null;
        flow.SeqState = Emitted;
        Count--;
        flow.id = nextId++;
        output.Enqueue(flow);
    }
}
