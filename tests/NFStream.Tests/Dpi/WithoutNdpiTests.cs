using System.Diagnostics;
using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Dpi;

/// <summary>
/// A machine without the native shim (or without nDPI): the module still imports, -NDissections 0 works, and
/// anything else gives one clear error that says what to install. Run in a child process (the console host)
/// with a copy of the module that lacks libnfndpi.so, since a process loads the shim once.
/// </summary>
public sealed class WithoutNdpiTests
{
    private static (int Exit, string Stdout, string Stderr) Host(string module, string dir, string command,
        string? shimPath = null)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "out", "NFStream.Shell", "NFStream.Shell.dll"));
        start.ArgumentList.Add("-Command");
        start.ArgumentList.Add(command);
        start.Environment["NFSTREAM_MODULE"] = module;
        start.Environment["NFSTREAM_NFNDPI_PATH"] = shimPath;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000));
        return (process.ExitCode, stdout, stderr.GetAwaiter().GetResult());
    }

    /// <summary>A copy of out/NFStream without libnfndpi.so, and the sample capture, in a scratch folder.</summary>
    private static (string Module, string Dir) ModuleWithoutShim()
    {
        string dir = RepositoryPaths.NewScratchDirectory();
        string copy = Path.Combine(dir, "NFStream");
        string original = Path.GetDirectoryName(RepositoryPaths.ModuleManifest)!;
        foreach (string file in Directory.GetFiles(original, "*", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(file) == "libnfndpi.so") continue;
            string target = Path.Combine(copy, Path.GetRelativePath(original, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        SampleCapture.Write(Path.Combine(dir, "sample.pcap"));
        return (Path.Combine(copy, "NFStream.psd1"), dir);
    }

    [Fact]
    public void TheModuleWorksWithoutTheShimAndSaysWhatToInstall()
    {
        var (module, dir) = ModuleWithoutShim();

        var withoutDpi = Host(module, dir, "@(Get-NFFlow sample.pcap -NDissections 0).Count");
        Assert.True(withoutDpi.Exit == 0, withoutDpi.Stderr);
        Assert.Equal("33", withoutDpi.Stdout.Trim());

        var withDpi = Host(module, dir, "Get-NFFlow sample.pcap");
        Assert.Equal(1, withDpi.Exit);
        Assert.Contains("libnfndpi.so", withDpi.Stderr);
        Assert.Contains("apt-get install", withDpi.Stderr);
        Assert.Contains("-NDissections 0", withDpi.Stderr);
        Assert.Equal("", withDpi.Stdout.Trim());
    }

    /// <summary>Several files, as arguments or from the pipeline: still one error, not one per file, and no flow.</summary>
    private const string OneErrorScript = """
        $Error.Clear(); $n = 0
        try { Get-NFFlow sample.pcap, sample.pcap | ForEach-Object { $n++ } } catch { }
        try { 'sample.pcap', 'sample.pcap' | Get-NFFlow -NDissections 5 | ForEach-Object { $n++ } } catch { }
        "flows=$n errors=$($Error.Count)"
        $Error | ForEach-Object { "id=$($_.FullyQualifiedErrorId) category=$($_.CategoryInfo.Category)" }
        "message=$($Error[0].Exception.Message)"
        """;

    [Fact]
    public void EachRunGivesExactlyOneNotInstalledErrorRecordWhateverTheNumberOfFiles()
    {
        var (module, dir) = ModuleWithoutShim();

        var outcome = Host(module, dir, OneErrorScript);

        var lines = outcome.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length > 0, outcome.Stderr);
        Assert.Equal("flows=0 errors=2", lines[0]);                  // one per statement, each with two files
        Assert.Equal(2, lines.Count(l => l == "id=DpiUnavailable,NFStream.Commands.GetNFFlowCommand category=NotInstalled"));
        Assert.Contains("apt-get install", lines.Single(l => l.StartsWith("message=", StringComparison.Ordinal)));
    }

    [Fact]
    public void AShimThatCannotBeLoadedNamesTheFileTheLoaderReasonAndThePackage()
    {
        var (module, dir) = ModuleWithoutShim();
        string broken = Path.Combine(dir, "libnfndpi.so");
        File.WriteAllText(broken, "not an ELF file");

        var outcome = Host(module, dir, OneErrorScript, shimPath: broken);

        Assert.True(outcome.Stdout.Contains("flows=0 errors=2"), outcome.Stdout + outcome.Stderr);
        string message = outcome.Stdout[outcome.Stdout.IndexOf("message=", StringComparison.Ordinal)..];
        Assert.Contains($"{broken} could not be loaded", message);
        Assert.Contains("apt-get install libndpi4.2", message);       // what to install when libndpi is missing
        Assert.Contains("-NDissections 0", message);

        var stillWorks = Host(module, dir, "@(Get-NFFlow sample.pcap -NDissections 0).Count", shimPath: broken);
        Assert.Equal("33", stillWorks.Stdout.Trim());
    }

    [Fact]
    public void AShimPathThatDoesNotExistSaysSoAndWhatToDo()
    {
        var (module, dir) = ModuleWithoutShim();
        string missing = Path.Combine(dir, "nowhere", "libnfndpi.so");

        var outcome = Host(module, dir, "Get-NFFlow sample.pcap", shimPath: missing);

        Assert.Equal(1, outcome.Exit);
        Assert.Contains($"NFSTREAM_NFNDPI_PATH names {missing}, which does not exist", outcome.Stderr);
        Assert.Contains("apt-get install", outcome.Stderr);
        Assert.Equal("", outcome.Stdout.Trim());
    }
}
