using System.Runtime.InteropServices;

namespace NFStream.Hosting;

/// <summary>
/// Runs an action when the process is told to end by SIGTERM or SIGHUP (a service stopping, `kill`, a closed
/// terminal), before the runtime's default handling ends the process: a writer uses it to finish its file (a
/// Parquet file is only readable once its footer is written). The signal is not cancelled, so the process still
/// ends as it would have. Dispose to unregister. Where POSIX signals are not supported it does nothing.
/// </summary>
internal sealed class TerminationSignalHandler : IDisposable
{
    private readonly List<PosixSignalRegistration> registrations = new();

    public TerminationSignalHandler(Action onSignal)
    {
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            try
            {
                registrations.Add(PosixSignalRegistration.Create(signal, _ => onSignal()));
            }
            catch (Exception e) when (e is PlatformNotSupportedException or IOException)
            {
                // Not on this platform: the writer closes its file on the pipeline's own end or stop only.
            }
        }
    }

    public void Dispose()
    {
        foreach (var r in registrations) r.Dispose();
        registrations.Clear();
    }
}
