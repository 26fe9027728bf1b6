using System.Diagnostics;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;

namespace NFStream.Tests.Meters;

/// <summary>
/// The threads that meter the files of a -ThrottleLimit call: loops start in the order handed over, at most so
/// many at once, on threads made once for the call; a loop frees its thread once its source is metered and
/// flushed, before its flows are taken; a loop disposed while it waits never starts.
/// </summary>
public sealed class MeteringWorkersTests
{
    [Fact]
    public void LoopsStartInTheOrderHandedOverAtMostCountAtOnceOnThreadsMadeOnce()
    {
        using var workers = new MeteringWorkers(2);
        var started = new List<int>();
        var threadIds = new HashSet<int>();
        int running = 0, mostAtOnce = 0;
        using var done = new CountdownEvent(12);
        for (int i = 0; i < 12; i++)
        {
            int loop = i;
            workers.Run(() =>
            {
                int now = Interlocked.Increment(ref running);
                lock (started)
                {
                    started.Add(loop);
                    threadIds.Add(Environment.CurrentManagedThreadId);
                    mostAtOnce = Math.Max(mostAtOnce, now);
                }
                Thread.Sleep(5);
                Interlocked.Decrement(ref running);
                done.Signal();
            });
        }
        Assert.True(done.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal(Enumerable.Range(0, 12), started);
        Assert.Equal(2, mostAtOnce);
        Assert.Equal(2, workers.ThreadsMade);
        Assert.Equal(2, threadIds.Count);
    }

    [Fact]
    public void AFlushedLoopFreesItsThreadBeforeItsFlowsAreTaken()
    {
        // Every flow of the first capture comes out at its flush: more than the chunks a loop may keep waiting.
        string capture = MeterRuns.Generated(16 << 20, seed: 11, sessionsPerSecond: 400);
        var options = new FlowOptions { NDissections = 0, IdleTimeoutSeconds = 100_000 };
        using var workers = new MeteringWorkers(1);
        using var firstExtractor = new FlowExtractor(options);
        using var secondExtractor = new FlowExtractor(options);
        using var firstSource = CaptureFile.Open(capture);
        using var secondSource = CaptureFile.Open(capture);
        using var first = new ExtractionThread(firstExtractor, firstSource, 4096, finishAtEnd: true, workers);
        using var second = new ExtractionThread(secondExtractor, secondSource, 4096, finishAtEnd: true, workers);

        // The one thread meters the second capture while nobody takes the first one's flows.
        var secondIds = TakeAll(second, TimeSpan.FromSeconds(20));
        Assert.True(second.Finished);
        Assert.True(secondIds.Count > 4 * 256 + 256, $"{secondIds.Count} flows");
        var firstIds = TakeAll(first, TimeSpan.FromSeconds(60));
        Assert.Equal(secondIds, firstIds);
        Assert.Equal(Enumerable.Range(0, firstIds.Count).Select(i => (long)i), firstIds);
    }

    [Fact]
    public void ALoopDisposedWhileItWaitsForAThreadNeverStarts()
    {
        string capture = MeterRuns.Generated(16 << 20, seed: 7, sessionsPerSecond: 60);
        var options = new FlowOptions { NDissections = 0 };
        using var workers = new MeteringWorkers(1);
        using var gate = new ManualResetEventSlim();
        using var blockedExtractor = new FlowExtractor(options);
        using var waitingExtractor = new FlowExtractor(options);
        using var blockedSource = new GatedSource(CaptureFile.Open(capture), gate);
        using var waitingSource = CaptureFile.Open(capture);
        using var blocked = new ExtractionThread(blockedExtractor, blockedSource, 64, finishAtEnd: true, workers);
        var waiting = new ExtractionThread(waitingExtractor, waitingSource, 64, finishAtEnd: true, workers);

        var clock = Stopwatch.StartNew();
        waiting.Dispose();
        Assert.True(clock.ElapsedMilliseconds < 1000, $"took {clock.ElapsedMilliseconds} ms");
        Assert.False(waiting.Abandoned);
        gate.Set();
        Assert.True(TakeAll(blocked, TimeSpan.FromSeconds(60)).Count > 100);
        Assert.True(blocked.Finished);
        Assert.False(waiting.ReachedEnd);
        Assert.Equal(0, waitingExtractor.Statistics.FlowsEmitted);
    }

    private static List<long> TakeAll(ExtractionThread loop, TimeSpan wait)
    {
        var ids = new List<long>();
        ExtractionStep step;
        while ((step = loop.TakeChunk(out var flows, wait, CancellationToken.None)) == ExtractionStep.Flow)
            foreach (var flow in flows) ids.Add(flow.id);
        Assert.Equal(ExtractionStep.Done, step);
        return ids;
    }
}
