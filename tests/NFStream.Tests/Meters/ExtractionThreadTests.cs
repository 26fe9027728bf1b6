using System.Diagnostics;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Meters;

/// <summary>The reader thread that overlaps metering with the pipeline: same flows, errors after the flows before them, prompt stop.</summary>
public sealed class ExtractionThreadTests
{
    private static List<long> TakeAll(ExtractionThread reader)
    {
        var ids = new List<long>();
        while (reader.TryTake(out var flow, CancellationToken.None)) ids.Add(flow.id * 1_000_000 + (long)flow.bidirectional_packets);
        return ids;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void GivesTheFlowsOfTheCallersThreadInTheSameOrder(int meters)
    {
        string capture = MeterRuns.Generated(16 << 20, seed: 7, sessionsPerSecond: 60);
        var options = new FlowOptions { NDissections = 0, IdleTimeoutSeconds = 2, Meters = meters };
        var direct = MeterRuns.Rows(capture, options);

        using var extractor = new FlowExtractor(options);
        var ids = new List<long>();
        using (var source = CaptureFile.Open(capture))
        using (var reader = new ExtractionThread(extractor, source, 4096))
        {
            ids.AddRange(TakeAll(reader));
            Assert.True(reader.ReachedEnd);
        }
        extractor.Finish();
        while (extractor.TryTakeFlow(out var flow)) ids.Add(flow.id * 1_000_000 + (long)flow.bidirectional_packets);

        Assert.Equal(direct.Count - 1, ids.Count);
        Assert.Equal(Enumerable.Range(0, ids.Count).Select(i => (long)i), ids.Select(v => v / 1_000_000));
    }

    [Fact]
    public void ChunksMixedWithSingleTakesGiveEveryFlowOnceInOrder()
    {
        string capture = MeterRuns.Generated(16 << 20, seed: 7, sessionsPerSecond: 60);
        var options = new FlowOptions { NDissections = 0, IdleTimeoutSeconds = 2 };
        using var extractor = new FlowExtractor(options);
        var ids = new List<long>();
        int chunks = 0;
        using (var source = CaptureFile.Open(capture))
        using (var reader = new ExtractionThread(extractor, source, 4096, finishAtEnd: true))
        {
            // A single take leaves the rest of its chunk for the next TakeChunk, which must start right after it.
            while (true)
            {
                if (ids.Count % 3 == 0)
                {
                    var one = reader.Take(out var single, Timeout.InfiniteTimeSpan, CancellationToken.None);
                    if (one == ExtractionStep.Done) break;
                    ids.Add(single.id);
                    continue;
                }
                var step = reader.TakeChunk(out var flows, Timeout.InfiniteTimeSpan, CancellationToken.None);
                if (step == ExtractionStep.Done) break;
                Assert.Equal(ExtractionStep.Flow, step);
                Assert.NotEmpty(flows);
                chunks++;
                foreach (var flow in flows) ids.Add(flow.id);
            }
        }
        Assert.True(chunks > 1);
        Assert.Equal(Enumerable.Range(0, ids.Count).Select(i => (long)i), ids);
        Assert.True(ids.Count > 500);
    }

    [Fact]
    public void ACorruptSourceThrowsAfterTheFlowsMeteredBeforeIt()
    {
        string capture = MeterRuns.Generated(16 << 20, seed: 7, sessionsPerSecond: 60);
        string truncated = Path.Combine(RepositoryPaths.NewScratchDirectory(), "truncated.pcap");
        using (var input = File.OpenRead(capture))
        using (var output = File.Create(truncated))
        {
            var bytes = new byte[(int)(input.Length * 3 / 4)];
            input.ReadExactly(bytes);
            output.Write(bytes);
        }
        using var extractor = new FlowExtractor(new FlowOptions { NDissections = 0, IdleTimeoutSeconds = 1 });
        using var source = CaptureFile.Open(truncated);
        using var reader = new ExtractionThread(extractor, source, 4096);
        int flows = 0;
        var error = Assert.Throws<CaptureFileException>(() =>
        {
            while (reader.TryTake(out _, CancellationToken.None)) flows++;
        });
        Assert.Contains("truncated", error.Message);
        Assert.True(flows > 100, $"only {flows} flows before the error");
        Assert.Equal(extractor.Statistics.FlowsEmitted, flows);
    }

    [Fact]
    public void DisposingStopsTheThreadPromptly()
    {
        string capture = MeterRuns.Generated(16 << 20, seed: 7, sessionsPerSecond: 60);
        using var extractor = new FlowExtractor(new FlowOptions { NDissections = 0, IdleTimeoutSeconds = 0 });
        using var source = CaptureFile.Open(capture);
        var reader = new ExtractionThread(extractor, source, 64);
        Assert.True(reader.TryTake(out _, CancellationToken.None));
        var clock = Stopwatch.StartNew();
        reader.Dispose();
        Assert.True(clock.ElapsedMilliseconds < 2000, $"took {clock.ElapsedMilliseconds} ms");
        Assert.False(reader.ReachedEnd);
    }

    [Fact]
    public void WaitingForAFlowHonoursCancellation()
    {
        string capture = MeterRuns.Generated(16 << 20, seed: 7, sessionsPerSecond: 60);
        using var extractor = new FlowExtractor(new FlowOptions { NDissections = 0 });
        using var source = CaptureFile.Open(capture);
        using var reader = new ExtractionThread(extractor, source, 4096);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => reader.TryTake(out _, cancelled.Token));
    }

    [Fact]
    public void TakeSaysWaitingWhileTheReadGivesNoFlowAndDoneAfterTheLast()
    {
        string capture = MeterRuns.Generated(16 << 20, seed: 7, sessionsPerSecond: 60);
        using var extractor = new FlowExtractor(new FlowOptions { NDissections = 0 });
        using var gate = new ManualResetEventSlim();
        using var source = new GatedSource(CaptureFile.Open(capture), gate);
        using var reader = new ExtractionThread(extractor, source, 64);

        Assert.Equal(ExtractionStep.Waiting, reader.Take(out _, TimeSpan.FromMilliseconds(50), CancellationToken.None));
        gate.Set();
        var steps = new List<ExtractionStep>();
        ExtractionStep step;
        while ((step = reader.Take(out _, TimeSpan.FromSeconds(30), CancellationToken.None)) != ExtractionStep.Done) steps.Add(step);
        Assert.True(reader.ReachedEnd);
        Assert.DoesNotContain(ExtractionStep.Waiting, steps);
    }
}
