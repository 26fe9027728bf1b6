using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using NFStream.Engine.Dpi;

namespace NFStream.Engine.Flows;

/// <summary>
/// Runs one meter's classifier on a thread of its own, so that nDPI's work (most of a default run's) overlaps the
/// meter's reading, decoding and flow keeping. The meter's thread hands over every classifier call as a job, with
/// a copy of the packet's IP bytes, through a bounded single-producer single-consumer ring; the classifier thread
/// makes the same calls, with the same packets, in the same order as the meter would have made them inline, on
/// the same single nDPI module, so the results are those of an inline run (NFStream's order-dependent caches
/// included).
/// </summary>
/// <remarks>
/// A flow's layer-7 result is set by the classifier thread when it processes the flow's finish; the meter hands a
/// flow out only once that has happened (<see cref="IsFinished"/>). Nothing is allocated per packet: the jobs and
/// the packet bytes live in two fixed rings. Only packets that can still reach nDPI are copied: at most
/// n_dissections per flow, and none once the flow's detection is over. An exception on the classifier thread (nDPI
/// could not initialise, out of memory) is rethrown on the meter's thread at its next call.
/// </remarks>
internal sealed class DpiThread : IDisposable
{
    private enum JobKind : byte { Begin, Update, Finish, Stop }

    private struct Job
    {
        public NFlow? Flow;
        public long Offset;      // absolute position of the packet bytes in the ring (Begin, Update)
        public ulong TimeMs;
        public ulong BiPackets;
        public int Length;
        public JobKind Kind;
    }

    private const int JobCapacity = 1 << 13;
    private const int JobMask = JobCapacity - 1;
    private const int ByteCapacity = 4 << 20;     // well above one packet (a capture's snap length is at most 256 KiB)
    private const int SpinsBeforeSleep = 16;
    // Hysteresis: a sleeping classifier thread is woken once this many jobs wait (or when the meter needs it
    // done: Drain, Dispose), a sleeping meter once a quarter of the ring is free again, so neither thread is
    // woken for every job.
    private const int WakeClassifierAfterJobs = 256;
    private const int WakeMeterAfterJobs = JobCapacity / 4;
    private const int WakeMeterAfterBytes = ByteCapacity / 4;

    /// <summary>
    /// One thread's progress counters, alone on their cache line (padding on both sides), so that the other
    /// thread reading them does not slow down the one writing them at every job.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Progress
    {
        [FieldOffset(64)] public long Jobs;
        [FieldOffset(72)] public long Bytes;       // the ring's absolute byte position
        [FieldOffset(80)] public long Finishes;
    }

    /// <summary>The sleep flags and wake-up points: written only around a sleep, read at every job.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Sleep
    {
        [FieldOffset(64)] public int ClassifierWaiting;
        [FieldOffset(68)] public int MeterWaiting;
        [FieldOffset(72)] public long MeterWakeAtJob;
        [FieldOffset(80)] public long MeterWakeAtByte;
    }

    private readonly IFlowClassifier classifier;
    private readonly int nDissections;
    // Rented from the shared pools and given back on Dispose: a folder of large captures starts one classifier
    // thread per file, and 4.3 MB of new large-object arrays per file would cost a full collection each.
    private Job[] jobs = ArrayPool<Job>.Shared.Rent(JobCapacity);
    private byte[] bytes = ArrayPool<byte>.Shared.Rent(ByteCapacity);
    private readonly Thread thread;
    private readonly object gate = new();

    private Progress produced;       // written by the meter's thread only
    private Progress consumed;       // written by the classifier thread only
    private Sleep sleep;
    // What each side last saw of the other's progress: it reads the other's line again only when that runs out.
    private long consumedJobsSeen, consumedBytesSeen;   // the meter's thread
    private long producedJobsSeen;                      // the classifier thread
    private ExceptionDispatchInfo? failure;
    private bool disposed;

    /// <param name="classifier">The meter's classifier; this thread makes every call to it until disposed.</param>
    /// <param name="nDissections">NFStream's n_dissections: packets past it never reach the classifier.</param>
    public DpiThread(IFlowClassifier classifier, int nDissections)
    {
        this.classifier = classifier;
        this.nDissections = nDissections;
        sleep.MeterWakeAtJob = sleep.MeterWakeAtByte = long.MaxValue;
        thread = new Thread(Run) { IsBackground = true, Name = "NFStream nDPI" };
        thread.Start();
    }

    /// <summary>The classifier, for calls made after <see cref="Dispose"/> (releasing flows still cached).</summary>
    public IFlowClassifier Classifier => classifier;

    /// <summary>The flow's first packet (the classifier's Begin).</summary>
    public void Begin(NFlow flow, ReadOnlySpan<byte> ipPacket, ulong timeMs) =>
        Enqueue(JobKind.Begin, flow, ipPacket, timeMs, 1);

    /// <summary>A later packet of the flow (the classifier's Update); skipped when it cannot reach nDPI.</summary>
    public void Update(NFlow flow, ReadOnlySpan<byte> ipPacket, ulong timeMs, ulong bidirectionalPackets)
    {
        // Past n_dissections, or once the classifier thread has marked detection over, Update makes no nDPI call
        // (it only moves detection_completed from 1 to 2, which only plugins see, and a run with plugins keeps
        // the classifier inline). Reading the mark late only costs a job that the classifier then ignores.
        if (bidirectionalPackets > (ulong)nDissections) return;
        if (Volatile.Read(ref flow.Dpi.DetectionCompleted) != 0) return;
        Enqueue(JobKind.Update, flow, ipPacket, timeMs, bidirectionalPackets);
    }

    /// <summary>The flow expired: the classifier thread will set its layer-7 result. Returns the ticket to wait for.</summary>
    public long Finish(NFlow flow)
    {
        Enqueue(JobKind.Finish, flow, default, 0, 0);
        return ++produced.Finishes;
    }

    /// <summary>True once the finish with this ticket (and every job before it) has been processed.</summary>
    public bool IsFinished(long ticket)
    {
        if (Volatile.Read(ref consumed.Finishes) >= ticket) return true;
        ThrowIfFailed();
        return false;
    }

    /// <summary>Waits until every job handed over so far has been processed.</summary>
    public void Drain()
    {
        // The classifier thread may be asleep with fewer jobs waiting than wake it by themselves.
        if (Volatile.Read(ref sleep.ClassifierWaiting) != 0) Wake();
        WaitForRoom(produced.Jobs, ref consumed.Jobs, ref sleep.MeterWakeAtJob, slack: 0);
        ThrowIfFailed();
    }

    /// <summary>
    /// Processes what was handed over, stops the thread, and releases the native state of flows whose finish never
    /// ran (a failed classifier). Afterwards <see cref="Classifier"/> may be called from the owner's thread.
    /// </summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (failure is null)
        {
            try
            {
                Enqueue(JobKind.Stop, null, default, 0, 0);
                Wake();
            }
            catch
            {
                // The classifier failed meanwhile: the thread is ending on its own.
            }
        }
        thread.Join();
        for (long i = Volatile.Read(ref consumed.Jobs); i < produced.Jobs; i++)
        {
            ref Job job = ref jobs[i & JobMask];
            if (job.Kind == JobKind.Finish && job.Flow is not null) classifier.Release(ref job.Flow.Dpi);
            job.Flow = null;
        }
        ArrayPool<Job>.Shared.Return(jobs, clearArray: true);
        ArrayPool<byte>.Shared.Return(bytes);
        jobs = Array.Empty<Job>();
        bytes = Array.Empty<byte>();
    }

    private void Enqueue(JobKind kind, NFlow? flow, ReadOnlySpan<byte> packet, ulong timeMs, ulong biPackets)
    {
        ThrowIfFailed();
        ObjectDisposedException.ThrowIf(disposed && kind != JobKind.Stop, this);
        long offset = produced.Bytes;
        int length = packet.Length;
        if (length > 0)
        {
            // A packet never wraps: if it does not fit before the end of the ring, it starts at the beginning.
            int at = (int)(offset % ByteCapacity);
            if (at + length > ByteCapacity) offset += ByteCapacity - at;
            if (consumedBytesSeen < offset + length - ByteCapacity)
                consumedBytesSeen = WaitForRoom(offset + length - ByteCapacity, ref consumed.Bytes,
                    ref sleep.MeterWakeAtByte, WakeMeterAfterBytes);
        }
        long index = produced.Jobs;
        if (consumedJobsSeen < index - JobCapacity + 1)
            consumedJobsSeen = WaitForRoom(index - JobCapacity + 1, ref consumed.Jobs, ref sleep.MeterWakeAtJob,
                WakeMeterAfterJobs);

        ref Job job = ref jobs[index & JobMask];
        job.Flow = flow;
        job.Kind = kind;
        job.Offset = offset;
        job.Length = length;
        job.TimeMs = timeMs;
        job.BiPackets = biPackets;
        if (length > 0)
        {
            packet.CopyTo(bytes.AsSpan((int)(offset % ByteCapacity), length));
            produced.Bytes = offset + length;
        }
        Volatile.Write(ref produced.Jobs, index + 1);
        if (Volatile.Read(ref sleep.ClassifierWaiting) != 0)
        {
            Interlocked.MemoryBarrier();
            if (index + 1 - Volatile.Read(ref consumed.Jobs) >= WakeClassifierAfterJobs) Wake();
        }
    }

    /// <summary>
    /// Waits until the classifier thread's counter has reached <paramref name="needed"/> and returns it; once
    /// asleep, the classifier thread wakes this one when the counter has gone <paramref name="slack"/> further.
    /// </summary>
    private long WaitForRoom(long needed, ref long progress, ref long wakeAt, long slack)
    {
        long seen;
        var spin = new SpinWait();
        while ((seen = Volatile.Read(ref progress)) < needed)
        {
            ThrowIfFailed();
            if (spin.Count < SpinsBeforeSleep)
            {
                spin.SpinOnce(sleep1Threshold: -1);
                continue;
            }
            Volatile.Write(ref wakeAt, needed + slack);
            SleepUntil(ref sleep.MeterWaiting, ref progress, needed);
            Volatile.Write(ref wakeAt, long.MaxValue);
        }
        return seen;
    }

    private void Run()
    {
        try
        {
            classifier.Prepare();
            var spin = new SpinWait();
            long index = 0;
            while (true)
            {
                if (producedJobsSeen == index && (producedJobsSeen = Volatile.Read(ref produced.Jobs)) == index)
                {
                    if (spin.Count < SpinsBeforeSleep) spin.SpinOnce(sleep1Threshold: -1);
                    else SleepUntil(ref sleep.ClassifierWaiting, ref produced.Jobs, index + 1);
                    continue;
                }
                spin.Reset();
                ref Job job = ref jobs[index & JobMask];
                if (job.Kind == JobKind.Stop) return;
                NFlow flow = job.Flow!;
                switch (job.Kind)
                {
                    case JobKind.Begin:
                        classifier.Begin(ref flow.Dpi, Packet(in job), job.TimeMs);
                        break;
                    case JobKind.Update:
                        classifier.Update(ref flow.Dpi, Packet(in job), job.TimeMs, job.BiPackets);
                        break;
                    case JobKind.Finish:
                        flow.L7 = classifier.Finish(ref flow.Dpi);
                        Volatile.Write(ref consumed.Finishes, consumed.Finishes + 1);
                        break;
                }
                long byteEnd = job.Length > 0 ? job.Offset + job.Length : -1;
                job.Flow = null;
                if (byteEnd >= 0) Volatile.Write(ref consumed.Bytes, byteEnd);
                Volatile.Write(ref consumed.Jobs, ++index);
                if (Volatile.Read(ref sleep.MeterWaiting) != 0)
                {
                    Interlocked.MemoryBarrier();
                    if (index >= Volatile.Read(ref sleep.MeterWakeAtJob) || consumed.Bytes >= Volatile.Read(ref sleep.MeterWakeAtByte))
                        Wake();
                }
            }
        }
        catch (Exception e)
        {
            failure = ExceptionDispatchInfo.Capture(e);
            Wake();
        }
    }

    private ReadOnlySpan<byte> Packet(in Job job) => bytes.AsSpan((int)(job.Offset % ByteCapacity), job.Length);

    /// <summary>
    /// Sleeps until woken by the other thread or for at most a millisecond, unless the other thread's
    /// <paramref name="progress"/> has already reached <paramref name="needed"/> (checked after raising the flag,
    /// so a wake-up cannot be missed between the check and the sleep) or it has failed.
    /// </summary>
    private void SleepUntil(ref int waitingFlag, ref long progress, long needed)
    {
        lock (gate)
        {
            Volatile.Write(ref waitingFlag, 1);
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref progress) < needed && failure is null) Monitor.Wait(gate, 1);
            Volatile.Write(ref waitingFlag, 0);
        }
    }

    private void Wake()
    {
        lock (gate) Monitor.PulseAll(gate);
    }

    private void ThrowIfFailed() => failure?.Throw();
}
