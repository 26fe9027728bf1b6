namespace NFStream.Tests.Dpi;

/// <summary>A client/server TCP connection that hands out consistent segments (sequence numbers advance).</summary>
internal sealed class TcpConversation
{
    private readonly string clientIp, serverIp;
    private readonly ushort clientPort, serverPort;
    private uint clientSequence = 1000, serverSequence = 50000;

    public TcpConversation(string clientIp, ushort clientPort, string serverIp, ushort serverPort)
    {
        this.clientIp = clientIp;
        this.clientPort = clientPort;
        this.serverIp = serverIp;
        this.serverPort = serverPort;
    }

    /// <summary>SYN, SYN/ACK, ACK.</summary>
    public IEnumerable<byte[]> Handshake()
    {
        yield return FromClient(TcpFlags.Syn);
        yield return FromServer(TcpFlags.Syn | TcpFlags.Ack);
        yield return FromClient(TcpFlags.Ack);
    }

    public byte[] FromClient(TcpFlags flags, ReadOnlySpan<byte> payload = default) => Segment(true, flags, payload);

    public byte[] FromServer(TcpFlags flags, ReadOnlySpan<byte> payload = default) => Segment(false, flags, payload);

    public byte[] ClientData(ReadOnlySpan<byte> payload) => FromClient(TcpFlags.Psh | TcpFlags.Ack, payload);

    public byte[] ServerData(ReadOnlySpan<byte> payload) => FromServer(TcpFlags.Psh | TcpFlags.Ack, payload);

    private byte[] Segment(bool fromClient, TcpFlags flags, ReadOnlySpan<byte> payload)
    {
        uint advance = (uint)payload.Length + ((flags & (TcpFlags.Syn | TcpFlags.Fin)) != 0 ? 1u : 0u);
        byte[] packet;
        if (fromClient)
        {
            packet = Ipv4Packets.TcpSegment(clientIp, clientPort, serverIp, serverPort, clientSequence, serverSequence,
                flags, payload);
            clientSequence += advance;
        }
        else
        {
            packet = Ipv4Packets.TcpSegment(serverIp, serverPort, clientIp, clientPort, serverSequence, clientSequence,
                flags, payload);
            serverSequence += advance;
        }
        return packet;
    }
}
