namespace NFStream.Engine.Dpi;

/// <summary>
/// nDPI detection modules for the captures of one call (a folder of rotated captures), made once and reset between
/// captures. NFStream gives each file a fresh module; making one costs tens of milliseconds (nDPI loads its
/// protocol and address lists and builds its automata), which a call over many small captures would otherwise pay
/// once per file. A module a capture is done with is reset to its just-made state (the shim frees the caches
/// detection made and restores every field of the module from a copy taken when it was made:
/// <see cref="NdpiNative.ContextReset"/>), so the next capture sees what a fresh module would show it, and gets the
/// labels of a separate run. Captures metered at once (-ThrottleLimit) each hold a module of their own.
/// </summary>
public sealed class NdpiModulePool : IDisposable
{
    private readonly int nDissections;
    private readonly Stack<nint> ready = new();
    private bool disposed;

    /// <param name="nDissections">NFStream's n_dissections for every classifier, 1 to 255.</param>
    /// <exception cref="DpiUnavailableException">The shim or nDPI 4.2 is missing, unloadable or mismatched.</exception>
    public NdpiModulePool(int nDissections)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nDissections, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nDissections, 255);
        NdpiNative.EnsureLoaded();
        this.nDissections = nDissections;
    }

    /// <summary>Classifiers that got a module another capture had used (and that was reset), for tests and diagnostics.</summary>
    public int ModulesReused { get; private set; }

    /// <summary>
    /// A classifier for the next capture. It takes its module when its first flow begins (or its classifier thread
    /// starts: <see cref="IFlowClassifier.Prepare"/>): a reset one when one is free then, otherwise a new one. So a
    /// capture that waits for its turn (-ThrottleLimit) gets the module an earlier capture has finished with, and a
    /// call makes as many modules as it meters captures at once. The module goes back to the pool when the
    /// classifier is disposed (a meter does so at the end of its input).
    /// </summary>
    public IFlowClassifier Create()
    {
        lock (ready) ObjectDisposedException.ThrowIf(disposed, this);
        return new NdpiClassifier(0, nDissections, GiveBack, TakeReady);
    }

    /// <summary>A module a previous capture used, reset; 0 when none is free.</summary>
    private nint TakeReady()
    {
        lock (ready)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (ready.Count == 0) return 0;
            ModulesReused++;
            return ready.Pop();
        }
    }

    /// <summary>Takes back the module of a classifier whose capture is over: reset for the next one, or freed.</summary>
    private void GiveBack(nint module)
    {
        bool keep = NdpiNative.ContextReset(module);
        lock (ready)
        {
            if (keep && !disposed)
            {
                ready.Push(module);
                return;
            }
        }
        NdpiNative.ContextFree(module);
    }

    /// <summary>Frees the modules no classifier holds; those still held are freed when their classifiers are disposed.</summary>
    public void Dispose()
    {
        lock (ready)
        {
            if (disposed) return;
            disposed = true;
        }
        while (ready.Count > 0) NdpiNative.ContextFree(ready.Pop());
    }
}
