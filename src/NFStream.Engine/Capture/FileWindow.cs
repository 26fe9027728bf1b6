using System.Buffers;

namespace NFStream.Engine.Capture;

/// <summary>
/// A sliding read window over a file: callers ask for the next N bytes and get a span into one reusable
/// buffer. The buffer grows only up to the largest record the format allows, so a lying length field cannot
/// make memory grow without bound.
/// </summary>
/// <remarks>
/// The buffer is rented from the shared array pool and given back at the end of the file or on
/// <see cref="Dispose"/>: a window of 128 KiB or more lives on the large-object heap, and a call over a folder of
/// captures that allocated one per file made the collector run full (gen2) collections, one every few files. The
/// first read is short (<see cref="FirstReadSize"/>): the caller's thread that opens the file reads only its
/// header, and the thread that meters the file reads the rest. A window disposed while another thread is inside
/// <see cref="Fill"/> (a reader left behind on a stalled pipe) keeps its buffer, which that thread may still write.
/// </remarks>
internal sealed class FileWindow : IDisposable
{
    private const int InitialSize = 1 << 20, MinInitialSize = 64 << 10;
    /// <summary>The most the first read takes: enough for any header, little for the thread that opens files.</summary>
    internal const int FirstReadSize = 4 << 10;
    private const int Idle = 0, Filling = 1, Released = 2, Disposed = 3;
    private readonly Stream stream;
    private byte[] buffer;
    private int start, end;
    private long bufferFileOffset;
    private bool eof, readBefore;
    /// <summary>Idle; Filling (the buffer may be written now); Released (the file ended, the buffer went back); Disposed.</summary>
    private int state;

    public FileWindow(Stream stream, string path)
    {
        this.stream = stream;
        Path = path;
        Length = stream.CanSeek ? stream.Length : 0;
        buffer = ArrayPool<byte>.Shared.Rent(InitialSizeFor(Length));
    }

    /// <summary>
    /// The buffer a file starts with: 1 MiB, or for a shorter file its length rounded up to a power of two (at
    /// least 64 KiB), so that a folder of small captures does not allocate a megabyte per file.
    /// </summary>
    internal static int InitialSizeFor(long length) =>
        length <= 0 || length >= InitialSize ? InitialSize
        : Math.Max(MinInitialSize, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)length));

    /// <summary>The buffer's size now (0 once given back), for tests.</summary>
    internal int BufferSize => buffer.Length;

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
        if (Interlocked.CompareExchange(ref state, Filling, Idle) != Idle)
        {
            if (Volatile.Read(ref state) == Disposed) throw new ObjectDisposedException(Path);
            return end - start >= count;    // Released: the file ended
        }
        bool ended = false;
        try
        {
            if (count > buffer.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(count, buffer.Length * 2));
                Buffer.BlockCopy(buffer, start, bigger, 0, end - start);
                bufferFileOffset += start;
                end -= start;
                start = 0;
                ArrayPool<byte>.Shared.Return(buffer);
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
                int room = buffer.Length - end;
                if (!readBefore) room = Math.Min(room, Math.Max(FirstReadSize, count - (end - start)));
                readBefore = true;
                int n = stream.Read(buffer, end, room);
                if (n <= 0) eof = true;
                else end += n;
            }
            ended = eof && start == end;
            return end - start >= count;
        }
        finally
        {
            // Every byte of the file was consumed: the buffer goes back now, not when the file is disposed.
            if (ended && Interlocked.CompareExchange(ref state, Released, Filling) == Filling) GiveBackBuffer();
            else Interlocked.CompareExchange(ref state, Idle, Filling);
        }
    }

    /// <summary>The next <paramref name="count"/> bytes; call <see cref="Ensure"/> first.</summary>
    public ReadOnlySpan<byte> Peek(int count) => new(buffer, start, count);

    public void Advance(int count) => start += count;

    private void GiveBackBuffer()
    {
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
        buffer = Array.Empty<byte>();
        bufferFileOffset += start;     // Position stays where it was
        end -= start;
        start = 0;
    }

    public void Dispose()
    {
        int was = Interlocked.Exchange(ref state, Disposed);
        stream.Dispose();
        if (was == Idle) GiveBackBuffer();
    }
}
