using System.Runtime.ExceptionServices;
using NFStream.Engine.Capture;

namespace NFStream.Engine.Flows;

/// <summary>
/// The engine's one metering loop, for files and live captures alike: runs an extractor over one source on a
/// thread of its own (one thread for the whole source, however long a live capture lasts), or on one of a call's
/// <see cref="MeteringWorkers"/> when several sources are metered in parallel, and hands its flows
/// to the caller's thread in chunks, so that reading and metering overlap with what the caller does with each
/// flow (PowerShell's pipeline). On a live source (<see cref="ILivePacketSource"/>) the loop waits for packets,
/// and advances the flow clock on a quiet link so idle flows still come out. With <c>finishAtEnd</c> the
/// extractor's cache is flushed on the loop's thread at the end of the source, so several sources can be
/// metered in parallel, each on its own loop, while the caller writes the flows of one of them.
/// The extractor belongs to the thread until <see cref="TryTake"/> has returned false (or after
/// <see cref="Dispose"/>); then the caller may use it again (another source, <see cref="FlowExtractor.Finish"/>).
/// Not for runs with plugins, which must run on the caller's thread.
/// </summary>
public sealed class ExtractionThread : IDisposable
{
    private const int ChunkSize = 256;
    // Few chunks in flight: a flow waiting here is garbage the collector must copy (promote) when it runs, and
    // while the caller is the slower side (PowerShell's pipeline), more room only holds more flows, not more speed.
    private const int MaxChunksWaiting = 4;

    private readonly FlowExtractor extractor;
    private readonly IPacketSource source;
    private readonly int packetsPerPump;
    private readonly Queue<(NFlow[] Flows, int Count)> ready = new();
    private readonly SemaphoreSlim available = new(0), space = new(MaxChunksWaiting);
    private readonly CancellationTokenSource stop = new();
    private readonly ManualResetEventSlim ended = new();
    private readonly bool finishAtEnd;
    private const int Queued = 0, Running = 1, Skipped = 2;
    /// <summary>Queued (on workers, not started yet), Running, or Skipped (disposed before it started).</summary>
    private int phase;
    /// <summary>How long the loop waits for packets on a quiet live source before it advances the clock.</summary>
    public const int LiveTickMs = 100;
    private NFlow[]? current;
    private int currentIndex, currentCount;
    private ExceptionDispatchInfo? failure;
    private bool disposed;

    /// <param name="finishAtEnd">Flush the cache (<see cref="FlowExtractor.Finish"/>) on the loop's thread when
    /// the source ends; its flows come out of <see cref="TryTake"/> after the others.</param>
    /// <param name="workers">The threads of a call that meters several sources (at most so many at once, in the
    /// order handed over); null for a thread of this loop's own. A loop's worker goes on to the next loop once the
    /// source is metered and flushed, while this loop's flows may still wait to be taken.</param>
    public ExtractionThread(FlowExtractor extractor, IPacketSource source, int packetsPerPump, bool finishAtEnd = false,
        MeteringWorkers? workers = null)
    {
        this.extractor = extractor;
        this.source = source;
        this.packetsPerPump = packetsPerPump;
        this.finishAtEnd = finishAtEnd;
        if (workers is not null) workers.Run(Run);
        else new Thread(Run) { IsBackground = true, Name = "NFStream reader" }.Start();
    }

    /// <summary>True when the source was read to its end (false after an error, a stop or -MaxFlows).</summary>
    public bool ReachedEnd { get; private set; }

    /// <summary>True when the loop flushed the extractor's cache itself (finishAtEnd, and the source ended).</summary>
    public bool Finished { get; private set; }

    /// <summary>The source this loop reads.</summary>
    public IPacketSource Source => source;

    /// <summary>The extractor this loop drives.</summary>
    public FlowExtractor Extractor => extractor;

    /// <summary>
    /// The next flow, waiting for one if needed. False when the thread is done and every flow was taken; an error
    /// of the source (for example <see cref="CaptureFileException"/>) is thrown then, after the flows before it.
    /// </summary>
    public bool TryTake(out NFlow flow, CancellationToken cancellation) =>
        Take(out flow, Timeout.InfiniteTimeSpan, cancellation) == ExtractionStep.Flow;

    /// <summary>
    /// Like <see cref="TryTake"/>, but waits at most <paramref name="wait"/> for the next flow and then says
    /// <see cref="ExtractionStep.Waiting"/>, so the caller can report progress while a long read yields no flow.
    /// </summary>
    public ExtractionStep Take(out NFlow flow, TimeSpan wait, CancellationToken cancellation)
    {
        while (true)
        {
            if (current is not null && currentIndex < currentCount)
            {
                flow = current[currentIndex++];
                return ExtractionStep.Flow;
            }
            var step = TakeChunk(out var chunk, wait, cancellation);
            if (step != ExtractionStep.Flow)
            {
                flow = null!;
                return step;
            }
            (current, currentIndex, currentCount) = (chunk.Array, chunk.Offset, chunk.Offset + chunk.Count);
        }
    }

    /// <summary>
    /// Like <see cref="Take"/>, but hands over the next chunk of flows (in order) at once, so the caller can write
    /// them in one call (PowerShell's WriteObject of a collection costs the pipeline one call, not one per flow).
    /// Returns <see cref="ExtractionStep.Flow"/> with a non-empty chunk that belongs to the caller from then on.
    /// Flows a previous <see cref="Take"/> left in the current chunk come first.
    /// </summary>
    public ExtractionStep TakeChunk(out ArraySegment<NFlow> flows, TimeSpan wait, CancellationToken cancellation)
    {
        if (current is not null && currentIndex < currentCount)
        {
            flows = new ArraySegment<NFlow>(current, currentIndex, currentCount - currentIndex);
            current = null;
            return ExtractionStep.Flow;
        }
        current = null;
        if (!available.Wait(wait, cancellation))
        {
            flows = default;
            return ExtractionStep.Waiting;
        }
        lock (ready)
        {
            if (ready.Count > 0)
            {
                var (chunk, count) = ready.Dequeue();
                space.Release();
                flows = new ArraySegment<NFlow>(chunk, 0, count);
                return ExtractionStep.Flow;
            }
        }
        // Released with nothing queued: the loop has ended.
        ended.Wait();
        failure?.Throw();
        flows = default;
        return ExtractionStep.Done;
    }

    private void Run()
    {
        var chunk = new NFlow[ChunkSize];
        int count = 0;
        // Once the cache is flushed every flow is already made: handing them all over holds no more memory, and
        // frees a worker (MeteringWorkers) for the next source instead of waiting here for the caller.
        bool flushed = false;
        void Drain()
        {
            while (extractor.TryTakeFlow(out var flow))
            {
                chunk[count++] = flow;
                if (count < ChunkSize) continue;
                Publish(chunk, count, waitForRoom: !flushed);
                chunk = new NFlow[ChunkSize];
                count = 0;
            }
        }

        if (Interlocked.CompareExchange(ref phase, Running, Queued) != Queued)
        {
            ended.Set();    // disposed while it waited for a worker
            return;
        }
        try
        {
            var live = source as ILivePacketSource;
            bool ended = false;
            while (!stop.IsCancellationRequested)
            {
                bool more = extractor.Pump(source, packetsPerPump);
                Drain();
                if (extractor.Completed) break;
                if (more) continue;
                if (live is null || live.Completed)
                {
                    ended = true;
                    break;
                }
                // A quiet live link: idle flows expire on the wall clock, and what is ready goes out now.
                if (live.TryGetQuietClock(out ulong now))
                {
                    extractor.AdvanceClock(now);
                    Drain();
                    if (extractor.Completed) break;
                }
                if (count > 0)
                {
                    Publish(chunk, count);
                    chunk = new NFlow[ChunkSize];
                    count = 0;
                }
                live.WaitForPackets(LiveTickMs, stop.Token);
            }
            ReachedEnd = ended && !extractor.Completed && !stop.IsCancellationRequested;
            if (ReachedEnd && finishAtEnd)
            {
                Finished = true;
                extractor.Finish();
                flushed = true;
                Drain();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // The flows metered before the error still go out first (a corrupt file keeps what was read).
            failure = ExceptionDispatchInfo.Capture(e);
            try
            {
                Drain();
            }
            catch (OperationCanceledException)
            {
            }
        }
        try
        {
            if (count > 0) Publish(chunk, count, waitForRoom: !flushed);
        }
        catch (OperationCanceledException)
        {
        }
        available.Release();
        ended.Set();
    }

    private void Publish(NFlow[] chunk, int count, bool waitForRoom = true)
    {
        if (waitForRoom) space.Wait(stop.Token);
        lock (ready) ready.Enqueue((chunk, count));
        available.Release();
    }

    /// <summary>
    /// True when <see cref="Dispose"/> could not stop the thread: it is blocked reading the source (a pipe whose
    /// writer stalls). It is left behind, still owning the extractor, which the caller must then not dispose.
    /// </summary>
    public bool Abandoned { get; private set; }

    /// <summary>How long <see cref="Dispose"/> waits for the thread before leaving it behind.</summary>
    public static readonly TimeSpan StopWait = TimeSpan.FromSeconds(2);

    /// <summary>Stops the thread (it ends after the current batch of packets) and waits for it (see <see cref="Abandoned"/>).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        stop.Cancel();
        // A loop still waiting for a worker never starts; a running one ends after its current batch.
        if (Interlocked.CompareExchange(ref phase, Skipped, Queued) != Queued && !ended.Wait(StopWait))
        {
            Abandoned = true;
            return;
        }
        stop.Dispose();
        available.Dispose();
        space.Dispose();
    }
}

/// <summary>What <see cref="ExtractionThread.Take"/> found.</summary>
public enum ExtractionStep
{
    /// <summary>A flow.</summary>
    Flow,
    /// <summary>No flow within the wait; the thread is still reading.</summary>
    Waiting,
    /// <summary>The thread is done and every flow was taken.</summary>
    Done,
}
