using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Ipfix;

/// <summary>
/// nfdump's collector, nfcapd, listening on a free loopback port for one test; <see cref="StopAndRead"/> ends it
/// with SIGTERM (which writes its file) and lists what it stored with nfdump -r.
/// </summary>
public sealed class Nfcapd : IDisposable
{
    public sealed record Record(string Source, int SourcePort, string Destination, int DestinationPort, int Protocol, long Packets, long Octets);

    private readonly Process process;
    private readonly string directory;

    public static bool Available => Live.TestNetwork.OnPath("nfcapd") && Live.TestNetwork.OnPath("nfdump");

    public const string Missing = "Skipped: nfdump's nfcapd and nfdump are not installed (apt-get install nfdump, or run .ci/setup).";

    public Nfcapd()
    {
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0))) Port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        directory = RepositoryPaths.NewScratchDirectory();
        var start = new ProcessStartInfo("nfcapd") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-w", directory, "-b", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-t", "3600" })
            start.ArgumentList.Add(a);
        process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string needle = $"0100007F:{Port:X4}";
        var clock = Stopwatch.StartNew();
        while (!File.ReadLines("/proc/net/udp").Any(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == needle))
        {
            if (process.HasExited) throw new InvalidOperationException($"nfcapd exited at start ({process.ExitCode})");
            if (clock.Elapsed > TimeSpan.FromSeconds(15)) throw new TimeoutException("nfcapd did not bind its port");
            Thread.Sleep(50);
        }
    }

    public int Port { get; }

    public List<Record> StopAndRead()
    {
        Thread.Sleep(300);   // lets nfcapd read what loopback has queued
        kill(process.Id, 15);
        if (!process.WaitForExit(15000)) throw new TimeoutException("nfcapd did not stop on SIGTERM");
        var read = new ProcessStartInfo("nfdump") { RedirectStandardOutput = true };
        foreach (var a in new[] { "-R", directory, "-q", "-N", "-o", "fmt:%sa,%sp,%da,%dp,%pr,%pkt,%byt" }) read.ArgumentList.Add(a);
        using var nfdump = Process.Start(read)!;
        string text = nfdump.StandardOutput.ReadToEnd();
        nfdump.WaitForExit();
        Assert.Equal(0, nfdump.ExitCode);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(',').Select(f => f.Trim()).ToArray())
            .Select(f => new Record(f[0], int.Parse(f[1]), f[2], f[3].Contains('.') ? int.Parse(f[3].Split('.')[0]) * 256 + int.Parse(f[3].Split('.')[1]) : int.Parse(f[3]),
                int.Parse(f[4]), long.Parse(f[5]), long.Parse(f[6])))
            .ToList();
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill();
        process.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
