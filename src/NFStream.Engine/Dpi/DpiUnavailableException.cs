namespace NFStream.Engine.Dpi;

/// <summary>
/// Application detection (nDPI) cannot run: the native shim libnfndpi or nDPI 4.2 itself is missing, cannot be
/// loaded, or does not match this build. The message says what to install or build.
/// </summary>
public sealed class DpiUnavailableException : Exception
{
    public DpiUnavailableException(string message, Exception? inner = null) : base(message, inner) { }
}
