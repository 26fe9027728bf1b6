using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using NFStream.Engine.Decoding;
using NFStream.Engine.Dpi;

namespace NFStream.Engine.Flows;

/// <summary>
/// NFStream's n_meters for one reader: packets are sharded by their direction-agnostic fanout hash over N
/// meter threads, each with its own flow table and classifier; the reader (the caller's thread) keeps the one
/// clock, decides the idle-scan points, and replays the meters' logs through a <see cref="FlowSequencer"/>,
/// so flows come out on the caller's thread in exactly the single-meter order.
/// </summary>
/// <remarks>
/// Packets travel in batches (a ring of <see cref="MeterBatch"/>es reused round-robin): no allocation per
/// packet. The reader runs ahead of the meters by at most <see cref="RingSize"/> batches.
/// </remarks>
internal sealed class ShardedMeters : IDisposable
{
    public const int BatchCapacity = 4096;
    private const int RingSize = 8;
    private const ulong ScanIntervalMs = 10;

    private readonly MeterBatch[] ring;
    private readonly MeterWorker[] workers;
    private readonly FlowSequencer sequencer;
    private readonly BatchSignal batchDone = new();
    private readonly ulong meterCount;
    private MeterBatch current;
    private long submitted, sequenced, nextPosition;
    private ulong tick, lastScanTick;
    private Exception? failure;
    private bool disposed;

    /// <param name="classifiers">One per meter (null entries, or an empty list, without DPI).</param>
    public ShardedMeters(FlowOptions options, int meters, IReadOnlyList<IFlowClassifier?> classifiers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(meters, 2);
        meterCount = (ulong)meters;
        bool dpi = options.NDissections > 0 && classifiers.Count > 0 && classifiers[0] is not null;
        ring = new MeterBatch[RingSize];
        for (int i = 0; i < RingSize; i++) ring[i] = new MeterBatch(meters, BatchCapacity, copyData: dpi);
        current = ring[0];
        current.Reset(0);
        sequencer = new FlowSequencer(options.IdleTimeoutMs);
        int share = (int)Math.Max(1, (options.MaxActiveFlows + (long)meters - 1) / meters);
        workers = new MeterWorker[meters];
        for (int i = 0; i < meters; i++)
            workers[i] = new MeterWorker(this, i, options, dpi ? classifiers[i] : null, share);
    }

    /// <summary>Flows in the (single-meter equivalent) cache, as of the batches sequenced so far.</summary>
    public int ActiveFlows => sequencer.Count;

    /// <summary>Flows evicted early because a meter's share of the cache bound was full.</summary>
    public long EvictedFlows => workers.Sum(w => w.EvictedFlows);

    internal Exception? Failure => Volatile.Read(ref failure);

    internal MeterBatch Batch(long sequence) => ring[sequence % RingSize];

    internal void Fail(Exception e) => Interlocked.CompareExchange(ref failure, e, null);

    internal void Completed(MeterBatch batch)
    {
        if (Interlocked.Decrement(ref batch.Pending) == 0) batchDone.Release();
    }

    /// <summary>Hands one decoded packet to its meter (NFStream's clock clamp and scan schedule applied here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ref ParsedPacket packet, ReadOnlySpan<byte> frame)
    {
        if (packet.TimeMs > tick) tick = packet.TimeMs;
        else packet.TimeMs = tick;
        int position = (int)(nextPosition++ - current.Base);
        current.Slabs[(int)(packet.FanoutHash % meterCount)].Add(ref packet, position, frame);
        current.Length = position + 1;
        if (tick - lastScanTick >= ScanIntervalMs)
        {
            lastScanTick = tick;
            current.AddScan(position, tick);
        }
        if (current.Length == BatchCapacity) Submit();
    }

    /// <summary>Advances the clock without a packet (live capture): may add a scan point.</summary>
    public void AdvanceClock(ulong timeMs)
    {
        if (timeMs > tick) tick = timeMs;
        if (tick - lastScanTick >= ScanIntervalMs)
        {
            current.AddScan((int)(nextPosition - 1 - current.Base), tick);
            lastScanTick = tick;
        }
    }

    /// <summary>Sends the packets gathered so far to the meters and sequences the batches they have finished.</summary>
    public void Submit()
    {
        if (!current.IsEmpty)
        {
            current.Pending = workers.Length;
            submitted++;
            foreach (var worker in workers) worker.Signal();
            if (submitted - sequenced == RingSize) SequenceOne();
            current = ring[submitted % RingSize];
            current.Reset(nextPosition);
        }
        while (sequenced < submitted && batchDone.TryWait()) Sequence();
    }

    /// <summary>End of input: the meters flush, and every flow left comes out in creation order.</summary>
    public void Finish()
    {
        current.Flush = true;
        Submit();
        while (sequenced < submitted) SequenceOne();
    }

    /// <summary>The next flow in single-meter order, from the batches the meters have finished so far.</summary>
    public bool TryTakeFlow(out NFlow flow)
    {
        if (sequencer.Pending == 0)
            while (sequenced < submitted && batchDone.TryWait()) Sequence();
        return sequencer.TryTake(out flow);
    }

    public int PendingFlows => sequencer.Pending;

    private void SequenceOne()
    {
        batchDone.Wait();
        Sequence();
    }

    private void Sequence()
    {
        var batch = ring[sequenced % RingSize];
        if (Failure is { } e) ExceptionDispatchInfo.Throw(e);
        sequencer.Sequence(batch);
        sequenced++;
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var worker in workers) worker.Dispose();
    }
}
