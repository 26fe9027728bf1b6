using NFStream.Engine.Export.Ipfix;

namespace NFStream.Tests.Ipfix;

/// <summary>A transport that keeps a copy of every message, for the tests to decode.</summary>
public sealed class CapturingTransport : IIpfixTransport
{
    private readonly List<byte[]> messages = new();

    public CapturingTransport(int maxMessageLength = 1472, bool reliable = false)
    {
        MaxMessageLength = maxMessageLength;
        IsReliable = reliable;
    }

    public List<byte[]> Messages
    {
        get
        {
            lock (messages) return messages.ToList();
        }
    }

    public bool Keep { get; set; } = true;

    public string Destination => "test://capture";

    public bool IsReliable { get; }

    public int MaxMessageLength { get; }

    public Exception? Failure => null;

    public long MessagesSent { get; private set; }

    public long MessagesDropped => 0;

    public long MessagesRefused => 0;

    public bool Closed { get; private set; }

    public void Send(ReadOnlySpan<byte> message)
    {
        MessagesSent++;
        if (!Keep) return;
        lock (messages) messages.Add(message.ToArray());
    }

    public void Close(TimeSpan timeout) => Closed = true;

    public void Dispose() => Closed = true;
}
