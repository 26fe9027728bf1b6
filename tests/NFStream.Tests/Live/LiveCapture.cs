using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Net.Sockets;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Live;

/// <summary>
/// Runs Start-NFCapture in its own runspace in the background, tells when it is capturing (its verbose
/// "Capturing on" line), and records when each flow arrives.
/// </summary>
public sealed class LiveCapture : IDisposable
{
    private readonly Runspace runspace;
    private readonly PowerShell shell;
    private readonly IAsyncResult running;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly ManualResetEventSlim capturing = new();

    public LiveCapture(string arguments)
    {
        runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        shell = PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddScript($"Import-Module '{RepositoryPaths.ModuleManifest}'; Start-NFCapture {arguments} -Verbose");
        shell.Streams.Verbose.DataAdded += (_, e) =>
        {
            if (shell.Streams.Verbose[e.Index].Message.StartsWith("Capturing on", StringComparison.Ordinal)) capturing.Set();
        };
        Output.DataAdded += (_, _) => Arrivals.Add(clock.Elapsed);
        running = shell.BeginInvoke<PSObject, PSObject>(null, Output);
    }

    public PSDataCollection<PSObject> Output { get; } = new();

    /// <summary>When each flow arrived, since the capture was started.</summary>
    public List<TimeSpan> Arrivals { get; } = new();

    public IReadOnlyList<ErrorRecord> Errors => shell.Streams.Error.ToList();

    public IReadOnlyList<string> Verbose => shell.Streams.Verbose.Select(v => v.Message).ToList();

    public TimeSpan Elapsed => clock.Elapsed;

    /// <summary>Waits until the interface is open (or the command ended, e.g. with an error).</summary>
    public void WaitUntilCapturing()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!capturing.Wait(50) && !running.IsCompleted)
            Assert.True(DateTime.UtcNow < deadline, "Start-NFCapture did not start capturing within 30 s");
        Thread.Sleep(200);   // the capture thread's first read
    }

    /// <summary>Waits for the command to end by itself; false after the timeout.</summary>
    public bool WaitForEnd(TimeSpan timeout) => running.AsyncWaitHandle.WaitOne(timeout);

    public void Stop() => shell.Stop();

    public static long Long(PSObject flow, string name) => Convert.ToInt64(flow.Properties[name].Value);

    /// <summary>Sends <paramref name="count"/> UDP requests to a local echo server, which answers each one.</summary>
    public static (int ClientPort, int ServerPort) UdpExchange(int count, int serverPort, int delayMs = 5)
    {
        using var server = new UdpClient(new IPEndPoint(IPAddress.Loopback, serverPort));
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var serverTask = Task.Run(() =>
        {
            var remote = new IPEndPoint(IPAddress.Any, 0);
            for (int i = 0; i < count; i++)
            {
                byte[] request = server.Receive(ref remote);
                server.Send(request, request.Length, remote);
            }
        });
        byte[] payload = new byte[32];
        var serverEndpoint = new IPEndPoint(IPAddress.Loopback, serverPort);
        client.Client.ReceiveTimeout = 5000;
        for (int i = 0; i < count; i++)
        {
            payload[0] = (byte)i;
            client.Send(payload, payload.Length, serverEndpoint);
            var from = new IPEndPoint(IPAddress.Any, 0);
            client.Receive(ref from);
            Thread.Sleep(delayMs);
        }
        Assert.True(serverTask.Wait(TimeSpan.FromSeconds(10)));
        return (((IPEndPoint)client.Client.LocalEndPoint!).Port, serverPort);
    }

    public void Dispose()
    {
        if (!running.IsCompleted) shell.Stop();
        shell.Dispose();
        runspace.Dispose();
        capturing.Dispose();
    }
}
