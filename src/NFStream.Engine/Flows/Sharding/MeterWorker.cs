using System.Runtime.CompilerServices;
using NFStream.Engine.Dpi;

namespace NFStream.Engine.Flows;

/// <summary>
/// One meter of a sharded run: its own flow table (a <see cref="FlowMeter"/>) and its own classifier (one nDPI
/// module per meter). It takes the batches in order, meters its slab of each, applies every scan point, and
/// logs what happened for the sequencer. Meter 0 runs on the reader's thread (<see cref="MeterNow"/>), the
/// others on threads of their own, so N meters use N threads.
/// </summary>
internal sealed class MeterWorker : IDisposable
{
    private readonly ShardedMeters owner;
    private readonly int index;
    private readonly FlowMeter meter;
    private readonly IFlowClassifier? classifier;
    private readonly BatchSignal work = new();
    private readonly Thread? thread;
    private volatile bool stopping;
    private long next;

    /// <param name="onCallerThread">True for the meter that the reader's thread runs between batches.</param>
    public MeterWorker(ShardedMeters owner, int index, FlowOptions options, IFlowClassifier? classifier, int maxActiveFlows,
        bool onCallerThread)
    {
        this.owner = owner;
        this.index = index;
        this.classifier = classifier;
        meter = new FlowMeter(options, classifier, maxActiveFlows, new MeterEventLog());
        if (onCallerThread) return;
        thread = new Thread(Run) { IsBackground = true, Name = $"NFStream meter {index}" };
        thread.Start();
    }

    /// <summary>Flows held by this meter (read after the batches are done).</summary>
    public long EvictedFlows => meter.EvictedFlows;

    /// <summary>Flows this meter created (read after the batches are done).</summary>
    public long CreatedFlows => meter.CreatedFlows;

    /// <summary>Tells the meter that one more batch is ready: its thread takes it, or the caller meters it now.</summary>
    public void Signal()
    {
        if (thread is null) MeterNow(owner.Batch(next++));
        else work.Release();
    }

    private void Run()
    {
        while (true)
        {
            work.Wait();
            if (stopping) return;
            MeterNow(owner.Batch(next++));
        }
    }

    private void MeterNow(MeterBatch batch)
    {
        try
        {
            if (owner.Failure is null) Meter(batch);
        }
        catch (Exception e)
        {
            owner.Fail(e);
        }
        owner.Completed(batch);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Meter(MeterBatch batch)
    {
        var slab = batch.Slabs[index];
        meter.Log = slab.Log;
        meter.Source = batch.Source;
        long basePosition = batch.Base;
        int scan = 0, scans = batch.ScanCount;
        var packets = slab.Packets;
        var positions = slab.Positions;
        for (int i = 0; i < slab.Count; i++)
        {
            int position = positions[i];
            for (; scan < scans && batch.Scan(scan).After < position; scan++)
                meter.ScanAt(batch.Scan(scan).Tick, basePosition + batch.Scan(scan).After);
            meter.ProcessAt(ref packets[i], slab.Frame(i), basePosition + position);
        }
        for (; scan < scans; scan++)
            meter.ScanAt(batch.Scan(scan).Tick, basePosition + batch.Scan(scan).After);
        if (batch.Flush) meter.Flush();
    }

    /// <summary>Stops the thread (after its current batch), then frees the DPI state of flows still held.</summary>
    public void Dispose()
    {
        stopping = true;
        work.Release();
        thread?.Join();
        meter.Dispose();
        classifier?.Dispose();
    }
}
