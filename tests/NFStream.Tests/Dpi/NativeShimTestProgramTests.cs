using System.Diagnostics;
using NFStream.Tests.Hosting;
using Xunit.Abstractions;

namespace NFStream.Tests.Dpi;

/// <summary>
/// Runs the shim's own C test (native/tests/shim_test.c, built by CMake into native/build/) so that dotnet test
/// covers it: under valgrind when it is installed (no memory error, nothing definitely lost), else directly.
/// </summary>
public sealed class NativeShimTestProgramTests
{
    private readonly ITestOutputHelper output;

    public NativeShimTestProgramTests(ITestOutputHelper output) => this.output = output;

    [NdpiFact]
    public void ShimTestProgramPasses()
    {
        string program = Path.Combine(RepositoryPaths.Root, "native", "build", "shim_test");
        Assert.True(File.Exists(program), $"{program} is missing: build native/ with CMake (dotnet build does it when cmake is installed).");

        string? valgrind = FindOnPath("valgrind");
        var start = valgrind is null
            ? new ProcessStartInfo(program)
            : new ProcessStartInfo(valgrind)
            {
                ArgumentList = { "--leak-check=full", "--errors-for-leak-kinds=definite", "--error-exitcode=99", program },
            };
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "shim_test did not finish within 120 s");
        string log = stdout + stderr.GetAwaiter().GetResult();
        output.WriteLine(valgrind is null ? "(valgrind not installed: ran directly)" : "(under valgrind)");
        output.WriteLine(log);

        Assert.True(process.ExitCode == 0, $"shim_test exited with {process.ExitCode}:{Environment.NewLine}{log}");
        Assert.Contains(" passed, 0 failed", stdout);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
