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
    private static (int Exit, string Stdout, string Stderr) Host(string module, string dir, string command)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "out", "NFStream.Shell", "NFStream.Shell.dll"));
        start.ArgumentList.Add("-Command");
        start.ArgumentList.Add(command);
        start.Environment["NFSTREAM_MODULE"] = module;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000));
        return (process.ExitCode, stdout, stderr.GetAwaiter().GetResult());
    }

    [Fact]
    public void TheModuleWorksWithoutTheShimAndSaysWhatToInstall()
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
        string module = Path.Combine(copy, "NFStream.psd1");

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
}
