namespace NFStream.Engine.Flows;

/// <summary>
/// A counting signal between the reader and the meter threads that blocks without spinning: a spinning wait
/// would take the core from the very thread it waits for when there are more threads than cores.
/// </summary>
internal sealed class BatchSignal
{
    private readonly object gate = new();
    private int count;

    public void Release()
    {
        lock (gate)
        {
            if (++count == 1) Monitor.Pulse(gate);
        }
    }

    public void Wait()
    {
        lock (gate)
        {
            while (count == 0) Monitor.Wait(gate);
            count--;
        }
    }

    public bool TryWait()
    {
        lock (gate)
        {
            if (count == 0) return false;
            count--;
            return true;
        }
    }
}
