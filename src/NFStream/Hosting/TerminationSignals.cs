using System.Runtime.InteropServices;

namespace NFStream.Hosting;

/// <summary>
/// SIGTERM and SIGHUP (systemd, timeout, docker stop, a closed terminal) end a run like Ctrl+C: while any NFStream
/// command of this process runs, the signal cancels <see cref="Token"/> (file reads stop, a live capture stops
/// and flushes its open flows), then waits until every NFStream command has ended and been disposed, so every
/// flow that was emitted is in its file as whole rows and the file is closed, and only then lets the signal end
/// the process as it would have. With no NFStream command running the signal acts as usual. Every command that
/// reads or writes flows holds a lease (<see cref="Enter"/>) from construction to disposal; exporters (CSV,
/// Parquet) hold one so that the process waits for their files.
/// </summary>
internal static class TerminationSignals
{
    /// <summary>The longest a signal waits for the runs to end before the process ends anyway.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);

    private static readonly object Sync = new();
    private static readonly CancellationTokenSource Signalled = new();
    private static readonly ManualResetEventSlim Idle = new(true);
    private static PosixSignalRegistration? term, hup;
    private static int active;

    /// <summary>Cancelled once SIGTERM or SIGHUP arrived while a run was active.</summary>
    public static CancellationToken Token => Signalled.Token;

    public static bool Requested => Signalled.IsCancellationRequested;

    /// <summary>The signal that ended the run, for messages.</summary>
    public static PosixSignal? Signal { get; private set; }

    /// <summary>Marks a run as active until the lease is disposed.</summary>
    public static IDisposable Enter()
    {
        lock (Sync)
        {
            if (term is null && !OperatingSystem.IsWindows())
            {
                try
                {
                    term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
                    hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
                }
                catch (Exception e) when (e is PlatformNotSupportedException or IOException)
                {
                }
            }
            active++;
            Idle.Reset();
        }
        return new Lease();
    }

    private static void Leave()
    {
        bool last;
        lock (Sync)
        {
            last = --active == 0;
            if (last) Idle.Set();
        }
        // After a signal the run is over: the process ends (OnSignal); the script must not go on meanwhile.
        if (last && Requested) Thread.Sleep(Timeout.Infinite);
    }

    private static void OnSignal(PosixSignalContext context)
    {
        lock (Sync)
        {
            if (active == 0) return;   // nothing of ours runs: the signal's usual action
            Signal ??= context.Signal;
        }
        Signalled.Cancel();
        // The runs end their input, their flows reach their files, the files close (the thread that releases
        // the last lease then waits here for the end, so that no later statement of the script runs); then the
        // process ends with the signal's usual exit code.
        Idle.Wait(MaxWait);
        context.Cancel = true;
        Environment.Exit(128 + (context.Signal == PosixSignal.SIGHUP ? 1 : 15));
    }

    private sealed class Lease : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) Leave();
        }
    }
}
