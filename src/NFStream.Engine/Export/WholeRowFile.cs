using System.Text;

namespace NFStream.Engine.Export;

/// <summary>
/// An export file that only ever holds whole rows, shared by every flow exporter:
/// <list type="bullet">
/// <item>It is opened for exclusive write (<see cref="ExclusiveWriteLock"/>): a second writer, in this process or
/// another, gets <see cref="ExportFileInUseException"/> before anything is changed; readers may read it meanwhile.</item>
/// <item>Rows are written to <see cref="Text"/> and end with <see cref="EndRow"/>; only ended rows reach the file,
/// so an interrupted row (an error, a stop) never does.</item>
/// <item>Ended rows reach the disk when 64 KiB are waiting, at least every <see cref="FlushInterval"/> (a timer,
/// so a quiet live capture's rows are on disk within a second), and on <see cref="Dispose"/>.</item>
/// <item>A failed write (disk full) cuts the file back to its last whole row and throws
/// <see cref="ExportWriteException"/> saying how many rows are in the file.</item>
/// </list>
/// </summary>
public sealed class WholeRowFile : IDisposable
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);
    private const int FlushThreshold = 1 << 16;
    private static readonly UTF8Encoding Utf8NoBom = new(false);

    private readonly object sync = new();
    private readonly Stream file;
    private readonly PendingRows pending;
    private readonly Timer? timer;
    private long fileLength;
    private long rowsPending;
    private Exception? failure;
    private bool disposed;

    /// <param name="file">A writable, seekable stream positioned at its end (tests pass streams that fail).</param>
    /// <param name="autoFlush">Flush ended rows every <see cref="FlushInterval"/> from a timer.</param>
    public WholeRowFile(Stream file, string path, bool autoFlush = true)
    {
        this.file = file;
        Path = path;
        fileLength = file.CanSeek ? file.Length : 0;
        LengthOnOpen = fileLength;
        pending = new PendingRows(sync);
        Text = new StreamWriter(pending, Utf8NoBom, 1 << 12) { NewLine = "\n" };
        if (autoFlush) timer = new Timer(_ => FlushQuietly(), null, FlushInterval, FlushInterval);
    }

    /// <summary>
    /// Opens (or creates) <paramref name="path"/> for exclusive write. Without <paramref name="append"/> the file
    /// is emptied, but only once the lock is held: a file that another writer holds is left as it is.
    /// </summary>
    /// <exception cref="ExportFileInUseException">Another writer holds the file.</exception>
    public static WholeRowFile Open(string path, bool append) => new(ExclusiveWriteLock.Open(path, append), path);

    public string Path { get; }

    /// <summary>The file's length when it was opened (after emptying it, without append): 0 for a new file.</summary>
    public long LengthOnOpen { get; }

    /// <summary>Rows in the file (on disk or waiting), counting only rows written through this object.</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Where the fields of the current row go; end the row with <see cref="EndRow"/>.</summary>
    public StreamWriter Text { get; }

    /// <summary>The first bytes of the file as it was opened (for checking an existing header before appending).</summary>
    public string ReadStart(int maxBytes)
    {
        lock (sync)
        {
            long position = file.Position;
            var buffer = new byte[(int)Math.Min(maxBytes, fileLength)];
            file.Position = 0;
            int read = 0, n;
            while (read < buffer.Length && (n = file.Read(buffer, read, buffer.Length - read)) > 0) read += n;
            file.Position = position;
            return Utf8NoBom.GetString(buffer, 0, read);
        }
    }

    /// <summary>True when the file as opened is empty or ends with a line end (no partial last row).</summary>
    public bool EndsWithLineEnd()
    {
        lock (sync)
        {
            if (LengthOnOpen == 0 || !file.CanSeek) return true;
            long position = file.Position;
            file.Position = LengthOnOpen - 1;
            int last = file.ReadByte();
            file.Position = position;
            return last == '\n';
        }
    }

    /// <summary>Ends the current row (its line end written to <see cref="Text"/>): it is whole now and may reach the file.</summary>
    public void EndRow()
    {
        Text.Flush();
        bool flush;
        lock (sync)
        {
            ThrowIfFailed();
            pending.Commit();
            rowsPending++;
            RowsWritten++;
            flush = pending.Committed >= FlushThreshold;
        }
        if (flush) Flush();
    }

    /// <summary>Writes every ended row to the file. A failed write cuts the file back to its last whole row and throws.</summary>
    public void Flush()
    {
        lock (sync)
        {
            ThrowIfFailed();
            WriteCommitted();
            ThrowIfFailed();
        }
    }

    private void FlushQuietly()
    {
        lock (sync)
        {
            if (!disposed && failure is null) WriteCommitted();
        }
    }

    /// <summary>Under the lock: the ended rows to the file, or (on failure) the file back to its last whole row.</summary>
    private void WriteCommitted()
    {
        int count = pending.Committed;
        if (count == 0) return;
        try
        {
            file.Write(pending.Buffer, 0, count);
            file.Flush();
            fileLength += count;
            pending.Remove(count);
            rowsPending = 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            string cut;
            try
            {
                if (!file.CanSeek) throw new NotSupportedException("the output cannot be cut back (it is not a regular file)");
                file.SetLength(fileLength);
                file.Position = fileLength;
                cut = "the file was cut back to its last whole row";
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                cut = $"the file could not be cut back to its last whole row at byte {fileLength} ({again.Message}): remove what follows that byte";
            }
            RowsWritten -= rowsPending;
            failure = new ExportWriteException(Path, RowsWritten, rowsPending, cut, e);
            pending.Remove(pending.Count);
            rowsPending = 0;
        }
    }

    private void ThrowIfFailed()
    {
        if (failure is not null) throw failure;
    }

    /// <summary>Writes the ended rows and closes the file; a row not ended is dropped. Throws a write failure once.</summary>
    public void Dispose()
    {
        Exception? error;
        lock (sync)
        {
            if (disposed) return;
            disposed = true;
            timer?.Dispose();
            error = failure;
            if (error is null)
            {
                WriteCommitted();
                error = failure;
            }
            file.Dispose();
        }
        if (error is not null && error != reported) throw error;
    }

    private Exception? reported;

    /// <summary>Marks the current failure as reported, so that <see cref="Dispose"/> does not throw it again.</summary>
    public void FailureReported() => reported = failure;

    /// <summary>
    /// The bytes of rows being written: the StreamWriter encodes into it; <see cref="Commit"/> marks the end of
    /// the last whole row, and only bytes before that mark go to the file.
    /// </summary>
    private sealed class PendingRows : Stream
    {
        private readonly object sync;
        public byte[] Buffer = new byte[FlushThreshold * 2];
        public int Count, Committed;

        public PendingRows(object sync) => this.sync = sync;

        public void Commit() => Committed = Count;

        public void Remove(int count)
        {
            System.Buffer.BlockCopy(Buffer, count, Buffer, 0, Count - count);
            Count -= count;
            Committed = Math.Max(0, Committed - count);
        }

        public override void Write(ReadOnlySpan<byte> bytes)
        {
            lock (sync)
            {
                if (Count + bytes.Length > Buffer.Length)
                    Array.Resize(ref Buffer, Math.Max(Buffer.Length * 2, Count + bytes.Length));
                bytes.CopyTo(Buffer.AsSpan(Count));
                Count += bytes.Length;
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Count;
        public override long Position { get => Count; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
