namespace NFStream.Engine.Capture;

/// <summary>A capture file that cannot be read further: not a capture, corrupt or truncated at <see cref="Offset"/>.</summary>
public sealed class CaptureFileException : IOException
{
    public CaptureFileException(string path, long offset, string problem, Exception? inner = null)
        : base($"{path}: {problem} (at byte offset {offset}).", inner)
    {
        Path = path;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The capture file.</summary>
    public string Path { get; }

    /// <summary>Byte offset in the file where the problem starts.</summary>
    public long Offset { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }
}
