namespace NFStream.Engine.Export.Ipfix;

/// <summary>
/// Carries finished IPFIX messages to a collector. <see cref="Send"/> never waits for the collector: a message
/// that cannot be handed on is counted as dropped (or refused), never queued without bound.
/// </summary>
public interface IIpfixTransport : IDisposable
{
    /// <summary>The collector, as a URI-like text (udp://host:port, tcp://host:port) for messages.</summary>
    string Destination { get; }

    /// <summary>True for a connection-oriented transport: templates are sent once, at the start (RFC 7011 section 8.2).</summary>
    bool IsReliable { get; }

    /// <summary>The largest message to hand to <see cref="Send"/> (over UDP, what fits the path MTU).</summary>
    int MaxMessageLength { get; }

    /// <summary>Hands one whole message on (the span is not kept).</summary>
    void Send(ReadOnlySpan<byte> message);

    /// <summary>Set when the transport can send no more (a TCP connection that broke); later messages are dropped.</summary>
    Exception? Failure { get; }

    long MessagesSent { get; }

    /// <summary>Messages not sent: the queue was full, the socket failed, or the transport had failed.</summary>
    long MessagesDropped { get; }

    /// <summary>Messages the collector's host refused (UDP: ICMP port unreachable, nothing listening).</summary>
    long MessagesRefused { get; }

    /// <summary>Sends what is queued, waiting at most <paramref name="timeout"/>, then closes; what is left is dropped.</summary>
    void Close(TimeSpan timeout);
}
