namespace NFStream.Engine.Export;

/// <summary>Writing rows to an export file failed (for example, the disk is full); the file holds only whole rows.</summary>
public sealed class ExportWriteException : IOException
{
    public ExportWriteException(string path, long rowsInFile, long rowsLost, string cut, Exception inner)
        : base($"Writing to '{path}' failed after {rowsInFile} rows: {inner.Message} The last {rowsLost} rows did not reach the file; {cut}.", inner)
    {
        Path = path;
        RowsInFile = rowsInFile;
        RowsLost = rowsLost;
    }

    public string Path { get; }
    /// <summary>Rows written by this writer that are in the file, whole.</summary>
    public long RowsInFile { get; }
    public long RowsLost { get; }
}
