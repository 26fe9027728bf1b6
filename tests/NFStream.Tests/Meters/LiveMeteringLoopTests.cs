using System.Collections.Concurrent;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Meters;

/// <summary>
/// The metering loop on a live source: one thread for the whole capture (no thread per tick), idle flows
/// expiring on the wall clock while the link is quiet, and the end when the capture completes.
/// </summary>
public sealed class LiveMeteringLoopTests
{
    /// <summary>A live source that gives a capture's packets, then stays quiet until the test completes it.</summary>
    private sealed class QuietLiveSource(IPacketSource packets) : ILivePacketSource
    {
        public readonly ConcurrentDictionary<int, int> Threads = new();
        public int Waits;
        public volatile bool Done;

        public string Name => "quiet0";
        public long Position => 0;
        public long Length => 0;
        public bool Completed => Done;

        public bool TryRead(out PacketRecord packet)
        {
            Threads.TryAdd(Environment.CurrentManagedThreadId, 0);
            return packets.TryRead(out packet);
        }

        public void WaitForPackets(int timeoutMs, CancellationToken cancellation)
        {
            Threads.TryAdd(Environment.CurrentManagedThreadId, 0);
            Interlocked.Increment(ref Waits);
            cancellation.WaitHandle.WaitOne(Math.Min(timeoutMs, 20));
        }

        public bool TryGetQuietClock(out ulong timeMs)
        {
            timeMs = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            return true;
        }

        public void Dispose() => packets.Dispose();
    }

    [Fact]
    public void OneThreadMetersTheWholeCaptureAndQuietFlowsExpireBeforeTheEnd()
    {
        string capture = RepositoryPaths.NewSampleCapture(rounds: 3);
        var options = new FlowOptions { NDissections = 0 };
        int expected = MeterRuns.Rows(capture, options).Count - 1;   // Rows has a header line

        using var extractor = new FlowExtractor(options);
        using var source = new QuietLiveSource(CaptureFile.Open(capture));
        using var loop = new ExtractionThread(extractor, source, 4096);
        int taken = 0;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        // Every flow comes out while the capture is still running: the wall clock is years past the sample's.
        while (taken < expected && DateTime.UtcNow < deadline)
            if (loop.Take(out _, TimeSpan.FromMilliseconds(50), CancellationToken.None) == ExtractionStep.Flow) taken++;
        Assert.Equal(expected, taken);
        // Many quiet ticks later, still the one thread.
        while (Volatile.Read(ref source.Waits) < 20 && DateTime.UtcNow < deadline) Thread.Sleep(10);
        Assert.True(source.Waits >= 20);
        source.Done = true;
        Assert.Equal(ExtractionStep.Done, loop.Take(out _, TimeSpan.FromSeconds(30), CancellationToken.None));

        Assert.Single(source.Threads);
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, source.Threads.Keys);
        Assert.True(loop.ReachedEnd);
    }

    [Fact]
    public void FinishAtEndFlushesOnTheLoopsThread()
    {
        string capture = RepositoryPaths.NewSampleCapture(rounds: 3);
        var options = new FlowOptions { NDissections = 0 };
        var expected = MeterRuns.Rows(capture, options).Count - 1;

        using var extractor = new FlowExtractor(options);
        using var source = CaptureFile.Open(capture);
        using var loop = new ExtractionThread(extractor, source, 4096, finishAtEnd: true);
        var ids = new List<long>();
        while (loop.TryTake(out var flow, CancellationToken.None)) ids.Add(flow.id);
        Assert.True(loop.Finished);
        Assert.Equal(Enumerable.Range(0, expected).Select(i => (long)i), ids);
        Assert.Equal(0, extractor.ActiveFlows);
    }
}
