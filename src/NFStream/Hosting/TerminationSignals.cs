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
        lock (Sync)
        {
            if (--active == 0) Idle.Set();
        }
    }

    private static void OnSignal(PosixSignalContext context)
    {
        lock (Sync)
        {
            if (active == 0) return;   // nothing of ours runs: the signal's usual action
            Signal ??= context.Signal;
        }
        Signalled.Cancel();
        // The runs end their input, their flows reach their files, the files close; then the usual action
        // (ending the process) follows, since context.Cancel stays false.
        Idle.Wait(MaxWait);
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
