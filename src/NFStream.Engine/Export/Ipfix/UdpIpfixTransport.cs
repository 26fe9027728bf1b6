using System.Net;
using System.Net.Sockets;

namespace NFStream.Engine.Export.Ipfix;

/// <summary>
/// IPFIX over UDP (RFC 7011 section 10.3): one message per datagram, no larger than the path MTU allows, so
/// that no message is fragmented. Sending never waits for the collector: a collector that is down makes its
/// host answer with ICMP port unreachable, which the socket reports on a later send; those are counted as refused.
/// </summary>
public sealed class UdpIpfixTransport : IIpfixTransport
{
    private const int UdpHeader = 8;
    private readonly Socket socket;
    private long sent, dropped, refused;

    /// <param name="mtu">The path MTU: messages are at most mtu minus the IP and UDP headers.</param>
    public UdpIpfixTransport(IPEndPoint collector, int mtu)
    {
        int ipHeader = collector.AddressFamily == AddressFamily.InterNetworkV6 ? 40 : 20;
        MaxMessageLength = Math.Min(mtu - ipHeader - UdpHeader, ushort.MaxValue);
        if (MaxMessageLength < 512) throw new ArgumentOutOfRangeException(nameof(mtu), mtu, "The MTU leaves too little room for IPFIX messages.");
        Destination = "udp://" + IpfixDestination.Format(collector);
        socket = new Socket(collector.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { SendTimeout = 1000 };
        socket.SendBufferSize = 1 << 20;
        // Connected, so that the kernel reports ICMP port unreachable for this collector (and nothing else).
        socket.Connect(collector);
    }

    public string Destination { get; }

    public bool IsReliable => false;

    public int MaxMessageLength { get; }

    public Exception? Failure => null;

    public long MessagesSent => Interlocked.Read(ref sent);

    public long MessagesDropped => Interlocked.Read(ref dropped);

    public long MessagesRefused => Interlocked.Read(ref refused);

    public void Send(ReadOnlySpan<byte> message)
    {
        socket.Send(message, SocketFlags.None, out var error);
        if (error == SocketError.Success) Interlocked.Increment(ref sent);
        else if (error == SocketError.ConnectionRefused) Interlocked.Increment(ref refused);
        else Interlocked.Increment(ref dropped);
    }

    public void Close(TimeSpan timeout) => socket.Dispose();

    public void Dispose() => socket.Dispose();
}
