namespace NFStream.Engine.Capture;

/// <summary>Why a live capture could not start or went on.</summary>
public enum LiveCaptureProblem
{
    UnknownInterface,
    PermissionDenied,
    LibpcapMissing,
    Failed,
}

/// <summary>A live capture could not be opened, or failed while running.</summary>
public sealed class LiveCaptureException : IOException
{
    public LiveCaptureException(string interfaceName, LiveCaptureProblem problem, string message, Exception? inner = null)
        : base(message, inner)
    {
        Interface = interfaceName;
        Problem = problem;
    }

    public string Interface { get; }

    public LiveCaptureProblem Problem { get; }
}
