namespace NFStream.Engine.Dpi;

/// <summary>
/// Classifiers for captures metered one after another in one call (a folder of rotated captures): each gets a
/// fresh nDPI detection module of its own, as NFStream gives each file, but the module of the next capture is
/// made ahead, on a pool thread, while the current one is metered. Making a module costs tens of milliseconds
/// (nDPI loads its protocol and address lists and builds its automata), which a call over many small captures
/// otherwise pays once per file on the metering path. A module made ahead and never used is freed on
/// <see cref="Dispose"/>. Modules are never shared or reused, so the labels are those of separate runs.
/// </summary>
public sealed class NdpiModuleSupply : IDisposable
{
    private readonly int nDissections;
    private readonly object gate = new();
    private Task<nint>? next;
    private bool disposed;

    /// <param name="nDissections">NFStream's n_dissections for every classifier, 1 to 255.</param>
    /// <exception cref="DpiUnavailableException">The shim or nDPI 4.2 is missing, unloadable or mismatched.</exception>
    public NdpiModuleSupply(int nDissections)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nDissections, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nDissections, 255);
        NdpiNative.EnsureLoaded();
        this.nDissections = nDissections;
    }

    /// <summary>Modules made so far (ahead or not), for tests and diagnostics.</summary>
    public int ModulesMadeAhead { get; private set; }

    /// <summary>
    /// A classifier for the next capture: with the module made ahead for it when there is one (waiting for it if
    /// it is still being made), otherwise one that makes its module when its first flow begins. With
    /// <paramref name="moreFollow"/>, starts making the module of the capture after.
    /// </summary>
    public IFlowClassifier Create(bool moreFollow)
    {
        Task<nint>? ready;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            ready = next;
            next = null;
            if (moreFollow)
            {
                next = Task.Run(NdpiNative.ContextCreate);
                ModulesMadeAhead++;
            }
        }
        // A module that could not be made (0) leaves the classifier to try again, and to say why, on first use.
        nint module = ready?.GetAwaiter().GetResult() ?? 0;
        return new NdpiClassifier(module, nDissections);
    }

    /// <summary>Frees the module made ahead for a capture that never came (waiting for it to be made first).</summary>
    public void Dispose()
    {
        Task<nint>? unused;
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            unused = next;
            next = null;
        }
        nint module = unused?.GetAwaiter().GetResult() ?? 0;
        if (module != 0) NdpiNative.ContextFree(module);
    }
}
