namespace NFStream.Engine.Flows;

/// <summary>
/// How many meters a run uses: the count asked for (0: automatic) bounded by what the machine and the input can
/// pay for. Sharding costs a hand-off per packet and a thread per meter; it pays only with a core for the reader
/// and one for each meter besides the pipeline's, and on inputs long enough to amortise starting the meters
/// (each with its own nDPI module). Where it cannot pay the run uses one meter, so more meters are never slower
/// than one.
/// </summary>
public static class MeterPlan
{
    /// <summary>Inputs shorter than this are metered by one meter when the count is automatic.</summary>
    public const long MinShardedInputBytes = 64L << 20;

    /// <summary>
    /// Inputs shorter than this classify inline (<see cref="ClassifyOnOwnThread"/>). The thread and its 4 MiB rings
    /// cost a few milliseconds a run, which an input shorter than the rings does not win back (measured on prefixes
    /// of base.pcap in pwsh: 0.3 and 0.8 MB about 6 ms slower on the thread, 6 MB and more faster); a folder of
    /// small captures (the corpus: median 22 KB) ran 1.7 times faster serially with them inline.
    /// </summary>
    public const long MinOwnClassifierThreadInputBytes = 4L << 20;

    /// <summary>Most meters a run uses.</summary>
    public const int MaxMeters = 16;

    /// <summary>The meter count for a run.</summary>
    /// <param name="requested">-Meters: 0 chooses, N is an upper bound.</param>
    /// <param name="processorCount">Cores available to the process.</param>
    /// <param name="inputBytes">Bytes of input when known (a file), or -1 (a live interface, a pipe).</param>
    /// <param name="parallelSources">Sources metered at once by this call (-ThrottleLimit over several files):
    /// those already take the cores, so each uses one meter.</param>
    /// <param name="reason">Why the run uses fewer meters than asked for (null when it uses what was asked).</param>
    public static int Choose(int requested, int processorCount, long inputBytes, int parallelSources, out string? reason)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requested);
        reason = null;
        if (requested == 1) return 1;
        int usable = Math.Clamp(processorCount - 1, 1, MaxMeters);
        int chosen;
        if (parallelSources > 1)
        {
            chosen = 1;
            reason = $"{parallelSources} captures are metered in parallel, one meter each";
        }
        else if (processorCount <= 2)
        {
            chosen = 1;
            reason = $"{processorCount} core{(processorCount == 1 ? "" : "s")}: sharding over meters cannot pay (it needs a core for the reader besides the meters')";
        }
        else if (requested == 0 && inputBytes >= 0 && inputBytes < MinShardedInputBytes)
        {
            chosen = 1;
            reason = $"the input ({inputBytes / (1024 * 1024)} MiB) is too short for sharding to pay";
        }
        else
        {
            chosen = requested == 0 ? usable : Math.Min(requested, usable);
            if (chosen < requested) reason = $"{processorCount} cores: at most {usable} meters can run at once";
        }
        if (requested == 0 && chosen > 1) reason = null;
        return chosen;
    }

    /// <summary>
    /// Whether a run's classifier gets a thread of its own (<see cref="FlowOptions.DpiOnOwnThread"/>): only for a
    /// file (a live capture would hold flows back while it waits for packets) of at least
    /// <see cref="MinOwnClassifierThreadInputBytes"/>, with nDPI in use, one meter, no plugins, and a core for it
    /// besides the meter's: one capture at a time on 2 cores or more (captures metered in parallel already take the
    /// cores).
    /// </summary>
    public static bool ClassifyOnOwnThread(FlowOptions options, int processorCount, long inputBytes, int parallelSources,
        bool hasPlugins) =>
        options.UsesDpi && !hasPlugins && inputBytes >= MinOwnClassifierThreadInputBytes && options.Meters == 1 &&
        parallelSources == 1 && processorCount >= 2;

    /// <inheritdoc cref="Choose(int, int, long, int, out string?)"/>
    public static int Choose(int requested, int processorCount, long inputBytes = -1, int parallelSources = 1) =>
        Choose(requested, processorCount, inputBytes, parallelSources, out _);
}
