using System.Management.Automation.Host;

namespace NFStream.Hosting;

/// <summary>
/// Reads Ctrl+C as a key while a live capture runs at an interactive console, so that it ends the capture
/// gracefully (flush, write every flow) instead of stopping the whole pipeline, which could not take the
/// flushed flows any more. The console's previous setting comes back on dispose. Not used when input is
/// redirected or the host has no console UI; then Ctrl+C stops the pipeline as usual (StopProcessing).
/// </summary>
internal sealed class ConsoleInterrupt : IDisposable
{
    private readonly bool previous;
    private bool pressed;

    private ConsoleInterrupt(bool previous) => this.previous = previous;

    /// <summary>Starts reading Ctrl+C as input; null when this process has no interactive console.</summary>
    public static ConsoleInterrupt? TryCapture(PSHost? host)
    {
        if (host?.UI?.RawUI is null || Console.IsInputRedirected) return null;
        try
        {
            bool previous = Console.TreatControlCAsInput;
            Console.TreatControlCAsInput = true;
            return new ConsoleInterrupt(previous);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or PlatformNotSupportedException)
        {
            return null;
        }
    }

    /// <summary>True once Ctrl+C was typed. Other keys typed meanwhile are read and dropped.</summary>
    public bool Pressed
    {
        get
        {
            try
            {
                while (!pressed && Console.KeyAvailable)
                {
                    var key = Console.ReadKey(intercept: true);
                    if (key.Key == ConsoleKey.C && key.Modifiers.HasFlag(ConsoleModifiers.Control) || key.KeyChar == '\u0003')
                        pressed = true;
                }
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                // The console went away: Ctrl+C falls back to stopping the pipeline.
            }
            return pressed;
        }
    }

    public void Dispose()
    {
        try
        {
            Console.TreatControlCAsInput = previous;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or PlatformNotSupportedException)
        {
        }
    }
}
