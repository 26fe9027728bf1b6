using System.Diagnostics;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Live;

/// <summary>
/// Start-NFCapture in the console host (out/nfstream) as a separate process: Ctrl+C typed at a terminal, and
/// running without capture rights.
/// </summary>
[Collection(LiveCollection.Name)]
public sealed class ShellCaptureTests
{
    private static readonly string Shell = Path.Combine(RepositoryPaths.Root, "out", "NFStream.Shell", "NFStream.Shell.dll");

    [LiveFact(Tool = "script")]
    public void CtrlCAtATerminalEndsTheCaptureAndWritesEveryFlow()
    {
        Assert.True(File.Exists(Shell), $"{Shell} is missing: build the solution first.");
        using var net = new TestNetwork();
        // 'script' gives the host a terminal, so Ctrl+C arrives as a keystroke, as when a user types it.
        string command = $"dotnet '{Shell}' -Command 'Start-NFCapture -Interface {net.Interface} -NDissections 0 -Verbose | " +
                         "ForEach-Object { \"FLOW \" + $_.bidirectional_packets + \" \" + $_.expiration_id }'";
        var start = new ProcessStartInfo("script", new[] { "-qfec", command, "/dev/null" })
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        var listening = new ManualResetEventSlim();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (lines) lines.Add(e.Data);
            if (e.Data.Contains("Capturing on")) listening.Set();
        };
        process.BeginOutputReadLine();
        try
        {
            Assert.True(listening.Wait(TimeSpan.FromSeconds(30)), "the capture did not start: " + string.Join("\n", lines));
            net.Exchange(42001, 52001, 30);
            Thread.Sleep(500);
            process.StandardInput.Write('\u0003');
            process.StandardInput.Flush();
            Assert.True(process.WaitForExit(15_000), "Ctrl+C did not end the capture");
            process.WaitForExit();
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        string output;
        lock (lines) output = string.Join("\n", lines);
        Assert.Equal(0, process.ExitCode);   // ended, not stopped (a stopped pipeline exits with 130)
        Assert.Contains("FLOW 60 0", output);
        Assert.Contains("Ctrl+C: stopping the capture", output);
    }

    [LiveFact(Tool = "setpriv")]
    public void WithoutCaptureRightsOneErrorSaysSo()
    {
        Assert.True(File.Exists(Shell), $"{Shell} is missing: build the solution first.");
        string home = RepositoryPaths.NewScratchDirectory();
        File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
            UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        // User nobody may not be able to reach the repository (a clone in a private directory): it runs a copy
        // of the host and the module from the scratch directory, laid out as in out/.
        foreach (string part in new[] { "NFStream.Shell", "NFStream" })
            CopyDirectory(Path.Combine(RepositoryPaths.Root, "out", part), Path.Combine(home, "out", part));
        string shell = Path.Combine(home, "out", "NFStream.Shell", "NFStream.Shell.dll");
        // As user nobody, with every capability dropped.
        var start = new ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = home,
        };
        foreach (string argument in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                     "env", $"HOME={home}", $"DOTNET_CLI_HOME={home}", "dotnet", shell,
                     "-Command", "Start-NFCapture -Interface lo -Duration 2 -NDissections 0" })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "the host did not finish");
        string errors = stderr.GetAwaiter().GetResult();

        Assert.Equal(1, process.ExitCode);
        Assert.Equal("", stdout.Trim());
        Assert.Contains("Capturing on 'lo' needs root or the CAP_NET_RAW and CAP_NET_ADMIN capabilities", errors);
        Assert.Contains("setcap cap_net_raw,cap_net_admin", errors);
        Assert.Single(errors.Split('\n'), l => l.Contains("needs root"));
    }

    /// <summary>Copies a directory tree; everything stays readable by other users (the scratch directory's mode).</summary>
    private static void CopyDirectory(string from, string to)
    {
        foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
