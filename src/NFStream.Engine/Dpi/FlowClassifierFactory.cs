namespace NFStream.Engine.Dpi;

/// <summary>Creates the layer-7 classifier: nDPI 4.2 through the native shim libnfndpi.</summary>
public static class FlowClassifierFactory
{
    /// <summary>
    /// A new classifier with its own nDPI detection module, for one meter (one thread). The shim is loaded and
    /// checked now; the module itself is created when the first flow begins (on the meter's thread).
    /// </summary>
    /// <param name="nDissections">NFStream's n_dissections, 1 to 255 (0 means no classifier: do not call).</param>
    /// <exception cref="DpiUnavailableException">The shim or nDPI 4.2 is missing, unloadable or mismatched; the
    /// message says what to install or build.</exception>
    public static IFlowClassifier Create(int nDissections)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nDissections, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nDissections, 255);
        NdpiNative.EnsureLoaded();
        return new NdpiClassifier(0, nDissections);
    }

    /// <summary>True when <see cref="Create"/> can load the shim; otherwise <paramref name="reason"/> says why.</summary>
    public static bool IsAvailable(out string? reason)
    {
        try
        {
            NdpiNative.EnsureLoaded();
            reason = null;
            return true;
        }
        catch (DpiUnavailableException e)
        {
            reason = e.Message;
            return false;
        }
    }
}
