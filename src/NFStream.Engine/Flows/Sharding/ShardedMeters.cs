using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using NFStream.Engine.Decoding;
using NFStream.Engine.Dpi;

namespace NFStream.Engine.Flows;

/// <summary>
/// NFStream's n_meters for one reader: packets are sharded by their direction-agnostic fanout hash over N
/// meters, each with its own flow table and classifier; the reader (the caller's thread) keeps the one
/// clock, decides the idle-scan points, and replays the meters' logs through a <see cref="FlowSequencer"/>,
/// so flows come out on the caller's thread in exactly the single-meter order.
/// </summary>
/// <remarks>
/// Packets travel in batches (a ring of <see cref="MeterBatch"/>es reused round-robin): no allocation per
/// packet. The reader runs ahead of the meters by at most <see cref="RingSize"/> batches.
/// <para>
/// N meters use N threads: meter 0 runs on the reader's thread after each batch is handed to the others,
/// so the reader never competes with a meter for a core. The reader already spends about 110 ns a packet
/// reading, decoding and handing over, so meter 0 takes a small share of the flows (<see cref="ShareOfMeter0"/>);
/// which flows go where changes nothing in the output, which the sequencer puts in single-meter order.
/// </para>
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
    private const int Buckets = 256;
    /// <summary>The meter of each of 256 buckets of the mixed fanout hash.</summary>
    private readonly byte[] meterOfBucket;
    private MeterBatch current;
    private string? source;
    private long submitted, sequenced, nextPosition;
    private ulong tick, lastScanTick;
    private Exception? failure;
    private bool disposed;

    /// <param name="classifiers">One per meter (null entries, or an empty list, without DPI).</param>
    public ShardedMeters(FlowOptions options, int meters, IReadOnlyList<IFlowClassifier?> classifiers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(meters, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(meters, 64);
        bool dpi = options.UsesDpi && classifiers.Count > 0 && classifiers[0] is not null;
        ring = new MeterBatch[RingSize];
        for (int i = 0; i < RingSize; i++) ring[i] = new MeterBatch(meters, BatchCapacity, copyData: dpi);
        current = ring[0];
        current.Reset(0);
        sequencer = new FlowSequencer(options.IdleTimeoutMs);
        meterOfBucket = AssignBuckets(meters, ShareOfMeter0(meters));
        workers = new MeterWorker[meters];
        for (int i = 0; i < meters; i++)
        {
            // Each meter's part of the cache bound follows its part of the hash space.
            long buckets = meterOfBucket.Count(m => m == i);
            int bound = (int)Math.Max(1, (options.MaxActiveFlows * buckets + Buckets - 1) / Buckets);
            workers[i] = new MeterWorker(this, i, options, dpi ? classifiers[i] : null, bound, onCallerThread: i == 0);
        }
    }

    /// <summary>
    /// The part of the flows that meter 0, on the reader's thread, takes: 1/(4N). Reading and decoding every
    /// packet keeps that thread the busiest even with nDPI (nDPI sees only each flow's first packets): profiles
    /// of two meters on two cores put about 45% of the CPU time in reading, decoding and handing over, and
    /// only a quarter of the rest in meter 0 when it takes an equal share. A token share keeps it a meter.
    /// </summary>
    internal static double ShareOfMeter0(int meters) => 1.0 / (4 * meters);

    /// <summary>The meter of each bucket: meter 0 gets its share of the 256, the others split the rest evenly.</summary>
    internal static byte[] AssignBuckets(int meters, double share0)
    {
        var meterOfBucket = new byte[Buckets];
        var counts = new int[meters];
        counts[0] = Math.Clamp((int)Math.Round(share0 * Buckets), 1, Buckets - (meters - 1));
        for (int i = 1; i < meters; i++) counts[i] = (Buckets - counts[0]) / (meters - 1) + (i <= (Buckets - counts[0]) % (meters - 1) ? 1 : 0);
        // Smooth weighted round robin: each meter's buckets are spread over the range, not in one block.
        var credit = new long[meters];
        for (int bucket = 0; bucket < Buckets; bucket++)
        {
            int best = 0;
            for (int m = 0; m < meters; m++)
            {
                credit[m] += counts[m];
                if (credit[m] > credit[best]) best = m;
            }
            credit[best] -= Buckets;
            meterOfBucket[bucket] = (byte)best;
        }
        return meterOfBucket;
    }

    /// <summary>The bucket of a fanout hash: its high bits after a multiplicative mix (NFStream's hash is a plain sum).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bucket(ulong fanoutHash) => (int)((fanoutHash * 0x9E3779B97F4A7C15UL) >> 56);

    /// <summary>Flows in the (single-meter equivalent) cache, as of the batches sequenced so far.</summary>
    public int ActiveFlows => sequencer.Count;

    /// <summary>Flows evicted early because a meter's share of the cache bound was full.</summary>
    public long EvictedFlows => workers.Sum(w => w.EvictedFlows);

    /// <summary>Flows created by meter 0, which runs on the caller's thread (whose allocations they are).</summary>
    internal long CreatedOnCallerThread => workers[0].CreatedFlows;

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
        current.Slabs[meterOfBucket[Bucket(packet.FanoutHash)]].Add(ref packet, position, frame);
        current.Length = position + 1;
        if (tick - lastScanTick >= ScanIntervalMs)
        {
            lastScanTick = tick;
            current.AddScan(position, tick);
        }
        if (current.Length == BatchCapacity) Submit();
    }

    /// <summary>
    /// The capture that the next packets come from. Set between submitted batches (the extractor submits at the
    /// end of every pump), so that a batch carries one source.
    /// </summary>
    public string? Source
    {
        get => source;
        set => current.Source = source = value;
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
            // The threads first; then meter 0 on this thread while they work.
            for (int i = 1; i < workers.Length; i++) workers[i].Signal();
            workers[0].Signal();
            if (submitted - sequenced == RingSize) SequenceOne();
            current = ring[submitted % RingSize];
            current.Reset(nextPosition);
            current.Source = source;
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
        // The meter threads have stopped: no slab is read any more.
        foreach (var batch in ring) batch.Release();
    }
}
