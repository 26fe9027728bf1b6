using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NFStream.Tests.Live;

/// <summary>
/// A veth pair whose far end lives in a network namespace created for one test: the near end
/// (<see cref="Interface"/>, <see cref="HostAddress"/>) is in this process's namespace and is where the tests
/// capture; the far end (<see cref="PeerAddress"/>) answers from the namespace. IPv6 is off on both ends so
/// that nothing but the test's own traffic (and ARP) crosses the link. Everything is deleted on dispose.
/// </summary>
public sealed class TestNetwork : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private readonly string nsName;

    public TestNetwork()
    {
        string id = Guid.NewGuid().ToString("n")[..6];
        nsName = "nfst-" + id;
        Interface = "nft" + id + "a";
        PeerInterface = "nft" + id + "b";
        // A random /30 in 10.200.0.0/13, so that parallel runs (other test processes) do not collide.
        int block = Random.Shared.Next(0, 1 << 17) << 2;
        HostAddress = new IPAddress(new byte[] { 10, (byte)(200 + (block >> 16)), (byte)(block >> 8), (byte)(block | 1) });
        PeerAddress = new IPAddress(new byte[] { 10, (byte)(200 + (block >> 16)), (byte)(block >> 8), (byte)(block | 2) });
        try
        {
            Ip($"netns add {nsName}");
            Ip($"link add {Interface} type veth peer name {PeerInterface}");
            Ip($"link set {PeerInterface} netns {nsName}");
            File.WriteAllText($"/proc/sys/net/ipv6/conf/{Interface}/disable_ipv6", "1");
            Ip($"netns exec {nsName} sh -c 'echo 1 > /proc/sys/net/ipv6/conf/{PeerInterface}/disable_ipv6'");
            Ip($"addr add {HostAddress}/30 dev {Interface}");
            Ip($"link set {Interface} up");
            Ip($"-n {nsName} addr add {PeerAddress}/30 dev {PeerInterface}");
            Ip($"-n {nsName} link set {PeerInterface} up");
            Ip($"-n {nsName} link set lo up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The near end, to capture on.</summary>
    public string Interface { get; }

    public string PeerInterface { get; }

    public IPAddress HostAddress { get; }

    public IPAddress PeerAddress { get; }

    public static bool IpCommandAvailable => OnPath("ip");

    public static bool OnPath(string command) =>
        Environment.GetEnvironmentVariable("PATH")?.Split(':').Any(d => File.Exists(Path.Combine(d, command))) == true;

    /// <summary>A UDP socket bound to the near end.</summary>
    public Socket HostSocket(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
        socket.Bind(new IPEndPoint(HostAddress, port));
        return socket;
    }

    /// <summary>A UDP socket bound to the far end, created inside the namespace (a socket stays in the namespace it was made in).</summary>
    public Socket PeerSocket(int port) => InNamespace(() =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
        socket.Bind(new IPEndPoint(PeerAddress, port));
        return socket;
    });

    /// <summary>
    /// <paramref name="requests"/> UDP requests from the near end (hostPort) to the far end (peerPort), each
    /// answered before the next is sent: 2 × requests packets, each with <paramref name="payload"/> bytes of data.
    /// </summary>
    public void Exchange(int hostPort, int peerPort, int requests, int payload = 32, int gapMs = 0)
    {
        using var host = HostSocket(hostPort);
        using var peer = PeerSocket(peerPort);
        var buffer = new byte[2048];
        var request = new byte[payload];
        var reply = new byte[payload];
        Array.Fill(request, (byte)'q');
        Array.Fill(reply, (byte)'r');
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        for (int i = 0; i < requests; i++)
        {
            host.SendTo(request, new IPEndPoint(PeerAddress, peerPort));
            int got = peer.ReceiveFrom(buffer, ref from);
            Assert.Equal(payload, got);
            peer.SendTo(reply, from);
            Assert.Equal(payload, host.Receive(buffer));
            if (gapMs > 0) Thread.Sleep(gapMs);
        }
    }

    /// <summary>Runs <paramref name="action"/> on a fresh thread that has joined the namespace.</summary>
    private T InNamespace<T>(Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle($"/run/netns/{nsName}");
                if (setns((int)ns.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new InvalidOperationException($"setns({nsName}) failed: errno {Marshal.GetLastPInvokeError()}");
                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new InvalidOperationException("In namespace " + nsName + ": " + failure.Message, failure);
        return result;
    }

    private static void Ip(string arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in SplitArguments(arguments)) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(10_000)) throw new TimeoutException("ip " + arguments);
        if (process.ExitCode != 0) throw new InvalidOperationException($"ip {arguments} failed: {error.Trim()}");
    }

    /// <summary>Splits on spaces, keeping '...' together (enough for the commands above).</summary>
    private static IEnumerable<string> SplitArguments(string arguments)
    {
        var parts = arguments.Split('\'');
        for (int i = 0; i < parts.Length; i++)
        {
            if (i % 2 == 1) yield return parts[i];
            else foreach (string word in parts[i].Split(' ', StringSplitOptions.RemoveEmptyEntries)) yield return word;
        }
    }

    public void Dispose()
    {
        try { Ip($"link del {Interface}"); } catch (InvalidOperationException) { }   // also removes the far end
        try { Ip($"netns del {nsName}"); } catch (InvalidOperationException) { }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);
}
