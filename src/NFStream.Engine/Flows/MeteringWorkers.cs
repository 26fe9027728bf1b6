namespace NFStream.Engine.Flows;

/// <summary>
/// The threads that run the metering loops of one call over several captures (-ThrottleLimit): at most
/// <see cref="Count"/> loops meter at once, taken in the order they were handed over. A thread is made when a loop
/// waits and no thread is free, up to the count, and serves every later loop of the call, so a folder of small
/// captures starts no thread per file and wakes one thread per loop. Taking loops in order means every loop that
/// runs was handed over no later than any loop still waiting: the loop whose flows the caller writes first is
/// never kept waiting by later ones (whose output queues may be full).
/// </summary>
public sealed class MeteringWorkers : IDisposable
{
    private readonly object gate = new();
    private readonly Queue<Action> waiting = new();
    private int threads, idle;
    private bool disposed;

    /// <param name="count">Loops metering at once, at least 1.</param>
    public MeteringWorkers(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Count = count;
    }

    /// <summary>Loops metering at once: the most threads this makes.</summary>
    public int Count { get; }

    /// <summary>Threads made so far (for tests and diagnostics).</summary>
    public int ThreadsMade
    {
        get
        {
            lock (gate) return threads;
        }
    }

    /// <summary>Runs <paramref name="loop"/> on a worker thread once the loops handed over before it have started.</summary>
    public void Run(Action loop)
    {
        bool newThread;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            waiting.Enqueue(loop);
            newThread = idle == 0 && threads < Count;
            if (newThread) threads++;
            else Monitor.Pulse(gate);
        }
        if (newThread) new Thread(Work) { IsBackground = true, Name = "NFStream reader" }.Start();
    }

    private void Work()
    {
        while (true)
        {
            Action loop;
            lock (gate)
            {
                while (waiting.Count == 0)
                {
                    if (disposed) return;
                    idle++;
                    Monitor.Wait(gate);
                    idle--;
                }
                loop = waiting.Dequeue();
            }
            loop();     // a loop catches its own exceptions (ExtractionThread.Run)
        }
    }

    /// <summary>The threads end once the loops handed over have run.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            Monitor.PulseAll(gate);
        }
    }
}
