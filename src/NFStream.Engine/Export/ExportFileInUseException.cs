namespace NFStream.Engine.Export;

/// <summary>Another writer (in this process or another) holds the export file.</summary>
public sealed class ExportFileInUseException : IOException
{
    public ExportFileInUseException(string path, Exception inner)
        : base($"The file '{path}' is being written by another writer (another Export command, in this session or another process); it was left as it is. Write to another file, or wait until that writer has finished.", inner)
        => Path = path;

    public string Path { get; }
}
