namespace NFStream.Engine.Capture;

/// <summary>Why a live capture could not start or went on.</summary>
public enum LiveCaptureFailure
{
    /// <summary>libpcap does not know the interface.</summary>
    InterfaceNotFound,
    /// <summary>The process lacks capture rights (root, or CAP_NET_RAW and CAP_NET_ADMIN).</summary>
    PermissionDenied,
    /// <summary>The BPF filter does not compile for the interface's link type.</summary>
    BadFilter,
    /// <summary>Anything else libpcap reported while opening or reading.</summary>
    CaptureError,
}

/// <summary>A live capture failed; <see cref="Failure"/> says why, <see cref="Interface"/> where.</summary>
public sealed class LiveCaptureException : Exception
{
    public LiveCaptureException(LiveCaptureFailure failure, string interfaceName, string message, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
        Interface = interfaceName;
    }

    public LiveCaptureFailure Failure { get; }

    public string Interface { get; }
}
