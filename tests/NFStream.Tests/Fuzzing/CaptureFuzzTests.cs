using NFStream.Engine.Capture;
using NFStream.Tests.Hosting;
using Xunit.Abstractions;

namespace NFStream.Tests.Fuzzing;

/// <summary>
/// Seeded mutation fuzzing of the capture readers, the decoder and the meter. Any exception other than the
/// documented <see cref="CaptureFileException"/>, a hang, or memory growing with a lying length field fails.
/// CI runs a bounded number of iterations; set NFSTREAM_FUZZ_ITERATIONS for more (and NFSTREAM_FUZZ_SEED).
/// Failing inputs are saved under out/fuzz-failures/ for reproduction.
/// </summary>
public sealed class CaptureFuzzTests
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(20);
    private const long AllocationLimit = 128L * 1024 * 1024;
    private readonly ITestOutputHelper output;

    public CaptureFuzzTests(ITestOutputHelper output) => this.output = output;

    public static IEnumerable<object[]> Seeds()
    {
        foreach (var (name, bytes) in FuzzSeeds.All()) yield return new object[] { name, bytes.Length };
    }

    [Fact]
    public void MutatedCapturesNeverCrashHangOrBalloon()
    {
        int iterations = int.TryParse(Environment.GetEnvironmentVariable("NFSTREAM_FUZZ_ITERATIONS"), out var n) ? n : 1500;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("NFSTREAM_FUZZ_SEED"), out var s) ? s : 20261122;
        var seeds = FuzzSeeds.All().ToList();
        Assert.NotEmpty(seeds);
        var mutator = new CaptureMutator(seed);
        var dir = RepositoryPaths.NewScratchDirectory();
        int documentedErrors = 0;
        for (int i = 0; i < iterations; i++)
        {
            var (name, original) = seeds[i % seeds.Count];
            var mutated = mutator.Mutate(original);
            var path = Path.Combine(dir, "case.bin");
            File.WriteAllBytes(path, mutated);
            var options = FuzzRunner.OptionSets[i % FuzzRunner.OptionSets.Length];
            Exception? failure = null;
            CaptureFileException? error = null;
            long allocated = 0;
            // Allocation is measured on the worker thread only: other tests run concurrently in this process.
            var task = Task.Run(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                FuzzRunner.Run(path, options, out error);
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            });
            try
            {
#pragma warning disable xUnit1031 // a deliberate blocking wait, bounded by the hang limit
                if (!task.Wait(HangLimit)) failure = new TimeoutException($"no result after {HangLimit.TotalSeconds} s");
#pragma warning restore xUnit1031
            }
            catch (AggregateException e)
            {
                failure = e.InnerException;
            }
            if (failure is null && allocated > AllocationLimit)
                failure = new InvalidOperationException($"allocated {allocated / (1024 * 1024)} MiB for a {mutated.Length}-byte file");
            if (failure is not null)
            {
                var saved = Save(mutated, name, i);
                Assert.Fail($"Iteration {i} (seed file {name}, fuzz seed {seed}): {failure.GetType().Name}: {failure.Message}\nInput saved to {saved}\n{failure.StackTrace}");
            }
            if (error is not null)
            {
                documentedErrors++;
                Assert.False(string.IsNullOrEmpty(error.Path));
                Assert.InRange(error.Offset, 0, mutated.Length);
            }
        }
        output.WriteLine($"fuzz: {iterations} mutated captures from {seeds.Count} seeds, {documentedErrors} reported as corrupt, no crash, hang or runaway allocation");
    }

    private static string Save(byte[] data, string seedName, int iteration)
    {
        var dir = Path.Combine(RepositoryPaths.Root, "out", "fuzz-failures");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"{seedName}.{iteration}.bin");
        File.WriteAllBytes(path, data);
        return path;
    }
}
