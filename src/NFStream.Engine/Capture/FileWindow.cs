namespace NFStream.Engine.Capture;

/// <summary>
/// A sliding read window over a file: callers ask for the next N bytes and get a span into one reusable
/// buffer. The buffer grows only up to the largest record the format allows, so a lying length field cannot
/// make memory grow without bound.
/// </summary>
internal sealed class FileWindow : IDisposable
{
    private const int InitialSize = 1 << 20, MinInitialSize = 64 << 10;
    private readonly Stream stream;
    private byte[] buffer;
    private int start, end;
    private long bufferFileOffset;
    private bool eof;

    public FileWindow(Stream stream, string path)
    {
        this.stream = stream;
        Path = path;
        Length = stream.CanSeek ? stream.Length : 0;
        buffer = GC.AllocateUninitializedArray<byte>(InitialSizeFor(Length));
    }

    /// <summary>
    /// The buffer a file starts with: 1 MiB, or for a shorter file its length rounded up to a power of two (at
    /// least 64 KiB), so that a folder of small captures does not allocate a megabyte per file.
    /// </summary>
    internal static int InitialSizeFor(long length) =>
        length <= 0 || length >= InitialSize ? InitialSize
        : Math.Max(MinInitialSize, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)length));

    public string Path { get; }

    public long Length { get; }

    /// <summary>File offset of the next unread byte.</summary>
    public long Position => bufferFileOffset + start;

    /// <summary>Bytes available now without reading more.</summary>
    public int Buffered => end - start;

    /// <summary>Makes at least <paramref name="count"/> bytes available; false if the file ends first.</summary>
    public bool Ensure(int count)
    {
        if (end - start >= count) return true;
        return Fill(count);
    }

    private bool Fill(int count)
    {
        if (count > buffer.Length)
        {
            var bigger = GC.AllocateUninitializedArray<byte>(Math.Max(count, buffer.Length * 2));
            Buffer.BlockCopy(buffer, start, bigger, 0, end - start);
            bufferFileOffset += start;
            end -= start;
            start = 0;
            buffer = bigger;
        }
        else if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            bufferFileOffset += start;
            end -= start;
            start = 0;
        }
        while (end - start < count && !eof)
        {
            int n = stream.Read(buffer, end, buffer.Length - end);
            if (n <= 0) eof = true;
            else end += n;
        }
        return end - start >= count;
    }

    /// <summary>The next <paramref name="count"/> bytes; call <see cref="Ensure"/> first.</summary>
    public ReadOnlySpan<byte> Peek(int count) => new(buffer, start, count);

    public void Advance(int count) => start += count;

    /// <summary>True when every byte of the file has been consumed.</summary>
    public bool AtEnd => start == end && (eof || !Fill(1));

    public void Dispose() => stream.Dispose();
}
