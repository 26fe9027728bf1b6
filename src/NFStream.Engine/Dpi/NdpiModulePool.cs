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
    /// A classifier for the next capture: with a reset module when one is free, otherwise one that makes its module
    /// when its first flow begins (or its classifier thread starts: <see cref="IFlowClassifier.Prepare"/>). Disposing
    /// the classifier gives its module back to the pool.
    /// </summary>
    public IFlowClassifier Create()
    {
        nint module = 0;
        lock (ready)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (ready.Count > 0)
            {
                module = ready.Pop();
                ModulesReused++;
            }
        }
        return new NdpiClassifier(module, nDissections, GiveBack);
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
