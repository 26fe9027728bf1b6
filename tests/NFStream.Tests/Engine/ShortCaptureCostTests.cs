using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Samples;

namespace NFStream.Tests.Engine;

/// <summary>
/// What a run costs before its first packet: a folder of small captures pays it once per file. Buffers sized for
/// the largest inputs (a 1 MiB read window, a 2 MiB flow table) went to the large-object heap for every file, and
/// with them a full collection per file in a busy PowerShell process.
/// </summary>
public sealed class ShortCaptureCostTests
{
    [Fact]
    public void AShortCaptureIsMeteredWithBuffersOfItsSize()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nfstream-short-{Guid.NewGuid():n}.pcap");
        try
        {
            SampleCapture.Write(path, SampleCaptureFormat.Pcap, seed: 1, rounds: 2);
            Assert.True(new FileInfo(path).Length < 64 << 10);
            var expected = GeneratedCapture.Meter(path);   // also compiles what the run calls

            long before = GC.GetAllocatedBytesForCurrentThread();
            var result = GeneratedCapture.Meter(path);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Null(result.Error);
            Assert.Equal(expected.Flows.Count, result.Flows.Count);
            Assert.True(result.Flows.Count > 10);
            // The flows, their counters and the small buffers; the sizes for large inputs were over 3 MB.
            Assert.True(allocated < 512 << 10, $"{allocated} bytes allocated for a run over {result.Flows.Count} flows");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(0, 1 << 20)]              // unknown length (a pipe): the full window
    [InlineData(24, 64 << 10)]            // at least 64 KiB
    [InlineData(20_609, 64 << 10)]
    [InlineData(100_000, 128 << 10)]      // the length rounded up to a power of two
    [InlineData((1 << 20) - 1, 1 << 20)]
    [InlineData(35_523_411, 1 << 20)]     // never more than 1 MiB to start with
    public void TheReadWindowStartsAtTheFilesLengthWithinBounds(long length, int expected) =>
        Assert.Equal(expected, FileWindow.InitialSizeFor(length));
}
