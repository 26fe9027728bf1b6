namespace NFStream.Engine.Dpi;

/// <summary>
/// What nDPI holds in native memory right now, over the whole process (every classifier on every thread):
/// the shim's own accounting (nfndpi_live_flows, nfndpi_live_bytes). For tests, soaks and diagnostics.
/// </summary>
public static class NdpiMemory
{
    /// <summary>nDPI flow states that exist now: flows being classified, not yet finished or released.</summary>
    /// <exception cref="DpiUnavailableException">The shim cannot be loaded.</exception>
    public static long LiveFlows => NdpiNative.LiveFlows;

    /// <summary>
    /// Bytes nDPI holds through its allocator now: detection modules (about 5 MB each), flows and what nDPI hangs
    /// on them. -1 when the platform cannot count them (the shim counts with glibc's malloc_usable_size).
    /// </summary>
    /// <exception cref="DpiUnavailableException">The shim cannot be loaded.</exception>
    public static long LiveBytes => NdpiNative.LiveBytes;
}
