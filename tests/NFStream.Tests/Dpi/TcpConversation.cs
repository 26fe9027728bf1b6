using NFStream.Engine.Samples;

namespace NFStream.Tests.Dpi;

/// <summary>A client/server TCP connection as raw IPv4 packets with consistent sequence numbers (engine samples).</summary>
internal sealed class TcpConversation
{
    private readonly TcpSession session;

    public TcpConversation(string clientIp, ushort clientPort, string serverIp, ushort serverPort) =>
        session = new TcpSession(new PacketFactory(ethernet: false), new SampleEndpoint(0, clientIp, clientPort),
            new SampleEndpoint(0, serverIp, serverPort));

    /// <summary>SYN, SYN/ACK, ACK.</summary>
    public IEnumerable<byte[]> Handshake() => new[]
    {
        FromClient(TcpFlag.Syn), FromServer(TcpFlag.Syn | TcpFlag.Ack), FromClient(TcpFlag.Ack),
    };

    public byte[] FromClient(TcpFlag flags, ReadOnlySpan<byte> payload = default) => session.FromClient(flags, payload).ToArray();

    public byte[] FromServer(TcpFlag flags, ReadOnlySpan<byte> payload = default) => session.FromServer(flags, payload).ToArray();

    public byte[] ClientData(ReadOnlySpan<byte> payload) => session.ClientData(payload).ToArray();

    public byte[] ServerData(ReadOnlySpan<byte> payload) => session.ServerData(payload).ToArray();
}
