using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Live;

/// <summary>
/// A runspace with the module imported, for running Start-NFCapture in the background while the test sends
/// traffic: <see cref="Begin"/> returns once the capture is listening (its "Capturing on" verbose line).
/// </summary>
public sealed class CaptureSession : IDisposable
{
    private readonly Runspace runspace;

    public CaptureSession()
    {
        runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        Runspace.DefaultRunspace = runspace;
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript($"Import-Module '{RepositoryPaths.ModuleManifest}' -ErrorAction Stop").Invoke();
    }

    public ScriptResult Run(string script)
    {
        Runspace.DefaultRunspace = runspace;
        using var running = Begin(script, waitForCapture: false);
        return running.End(TimeSpan.FromSeconds(60));
    }

    /// <summary>Starts <paramref name="script"/> (which should run Start-NFCapture -Verbose) without waiting for it.</summary>
    public RunningCapture Begin(string script, bool waitForCapture = true)
    {
        Runspace.DefaultRunspace = runspace;
        var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript(script);
        var running = new RunningCapture(ps);
        if (waitForCapture) running.WaitForCapture(TimeSpan.FromSeconds(20));
        return running;
    }

    public void Dispose() => runspace.Dispose();
}

/// <summary>A script running in the background: its output as it arrives, when each item came, and its end.</summary>
public sealed class RunningCapture : IDisposable
{
    private readonly PowerShell ps;
    private readonly IAsyncResult result;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly ManualResetEventSlim listening = new();
    private readonly List<TimeSpan> arrivals = new();

    public RunningCapture(PowerShell ps)
    {
        this.ps = ps;
        Output.DataAdded += (_, _) => { lock (arrivals) arrivals.Add(clock.Elapsed); };
        ps.Streams.Verbose.DataAdded += (_, e) =>
        {
            if (ps.Streams.Verbose[e.Index].Message.StartsWith("Capturing on", StringComparison.Ordinal)) listening.Set();
        };
        result = ps.BeginInvoke<PSObject, PSObject>(null, Output);
    }

    public PSDataCollection<PSObject> Output { get; } = new();

    /// <summary>Time since the script started.</summary>
    public TimeSpan Elapsed => clock.Elapsed;

    /// <summary>When each output object arrived (time since the script started).</summary>
    public IReadOnlyList<TimeSpan> Arrivals
    {
        get { lock (arrivals) return arrivals.ToArray(); }
    }

    public bool IsCompleted => result.IsCompleted;

    public PSDataCollection<InformationRecord> Information => ps.Streams.Information;

    public void WaitForCapture(TimeSpan timeout)
    {
        if (listening.Wait(timeout)) return;
        var errors = string.Join("; ", ps.Streams.Error.Select(e => e.ToString()));
        throw new TimeoutException($"The capture did not start within {timeout.TotalSeconds} s. Errors: {errors}");
    }

    /// <summary>Waits until <paramref name="count"/> objects were written, or the timeout; returns whether they were.</summary>
    public bool WaitForOutput(int count, TimeSpan timeout)
    {
        var deadline = clock.Elapsed + timeout;
        while (Output.Count < count && clock.Elapsed < deadline && !result.IsCompleted) Thread.Sleep(20);
        return Output.Count >= count;
    }

    /// <summary>Stops the pipeline (as a host does on Ctrl+C) and returns how long the stop took.</summary>
    public TimeSpan Stop()
    {
        var watch = Stopwatch.StartNew();
        ps.Stop();
        return watch.Elapsed;
    }

    /// <summary>Waits for the script to end (failing the test after <paramref name="timeout"/>) and collects its streams.</summary>
    public ScriptResult End(TimeSpan timeout)
    {
        Assert.True(result.AsyncWaitHandle.WaitOne(timeout), $"the script did not end within {timeout.TotalSeconds} s");
        Exception? terminating = null;
        try
        {
            ps.EndInvoke(result);
        }
        catch (RuntimeException e)
        {
            terminating = e;
        }
        return new ScriptResult(new(Output.ToList()), ps.Streams.Error.ToList(), ps.Streams.Warning.Select(w => w.Message).ToList(),
            ps.Streams.Verbose.Select(v => v.Message).ToList(), terminating);
    }

    public void Dispose()
    {
        if (!result.IsCompleted)
        {
            ps.Stop();
            result.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10));
        }
        ps.Dispose();
        listening.Dispose();
    }
}
