using NFStream.Engine.Capture;
using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Engine;

/// <summary>
/// The read window of a capture file: the thread that opens a file reads only its first block (the thread that
/// meters it reads the rest), and the buffer goes back to the shared pool at the end of the file, with the
/// position kept, so a folder of captures does not allocate a large-object buffer per file.
/// </summary>
public sealed class FileWindowTests
{
    [Fact]
    public void TheFirstReadIsShortAndTheBufferGoesBackAtTheEndOfTheFile()
    {
        string path = Path.Combine(RepositoryPaths.NewScratchDirectory(), "window.pcap");
        SampleCapture.Write(path, SampleCaptureFormat.Pcap, seed: 3, rounds: 60);
        long length = new FileInfo(path).Length;
        Assert.True(length > 4 * FileWindow.FirstReadSize, $"{length} bytes");

        var reads = new List<int>();
        var stream = new ReadRecorder(File.OpenRead(path), reads);
        using var window = new FileWindow(stream, path);
        using var reader = new PcapFileReader(window);
        Assert.True(window.Ensure(24));
        Assert.Equal([FileWindow.FirstReadSize], reads);          // opening reads the header's block only

        int packets = 0;
        while (reader.TryRead(out _)) packets++;
        Assert.True(packets > 100);
        Assert.True(reads.Count > 1 && reads.Skip(1).Max() > FileWindow.FirstReadSize, "the rest is read in full windows");
        Assert.Equal(0, window.BufferSize);                       // back in the pool
        Assert.Equal(length, window.Position);
        Assert.False(window.Ensure(1));
    }

    [Fact]
    public void DisposingGivesTheBufferBackAndLaterReadsFailInsteadOfWritingIntoIt()
    {
        string path = Path.Combine(RepositoryPaths.NewScratchDirectory(), "window.pcap");
        SampleCapture.Write(path, SampleCaptureFormat.Pcap, seed: 3, rounds: 60);
        var window = new FileWindow(File.OpenRead(path), path);
        Assert.True(window.Ensure(24));
        window.Dispose();
        Assert.Equal(0, window.BufferSize);
        Assert.Throws<ObjectDisposedException>(() => window.Ensure(1 << 20));
    }

    /// <summary>A stream that records how many bytes each read asked for.</summary>
    private sealed class ReadRecorder(Stream inner, List<int> reads) : Stream
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            reads.Add(count);
            return inner.Read(buffer, offset, count);
        }

        public override bool CanRead => true;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
