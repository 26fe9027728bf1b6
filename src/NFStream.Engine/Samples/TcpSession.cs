namespace NFStream.Engine.Samples;

/// <summary>A client/server TCP connection whose segments carry consistent sequence and acknowledgement numbers.</summary>
public sealed class TcpSession
{
    private readonly PacketFactory factory;
    private uint clientSequence, serverSequence;

    public TcpSession(PacketFactory factory, SampleEndpoint client, SampleEndpoint server, uint clientIsn = 1000,
        uint serverIsn = 50000)
    {
        this.factory = factory;
        Client = client;
        Server = server;
        clientSequence = clientIsn;
        serverSequence = serverIsn;
    }

    public SampleEndpoint Client { get; }

    public SampleEndpoint Server { get; }

    public ReadOnlySpan<byte> FromClient(TcpFlag flags, ReadOnlySpan<byte> payload = default) => Segment(true, flags, payload);

    public ReadOnlySpan<byte> FromServer(TcpFlag flags, ReadOnlySpan<byte> payload = default) => Segment(false, flags, payload);

    public ReadOnlySpan<byte> ClientData(ReadOnlySpan<byte> payload) => FromClient(TcpFlag.Psh | TcpFlag.Ack, payload);

    public ReadOnlySpan<byte> ServerData(ReadOnlySpan<byte> payload) => FromServer(TcpFlag.Psh | TcpFlag.Ack, payload);

    private ReadOnlySpan<byte> Segment(bool fromClient, TcpFlag flags, ReadOnlySpan<byte> payload)
    {
        uint advance = (uint)payload.Length + ((flags & (TcpFlag.Syn | TcpFlag.Fin)) != 0 ? 1u : 0u);
        if (fromClient)
        {
            var frame = factory.Tcp(Client, Server, clientSequence, serverSequence, flags, payload);
            clientSequence += advance;
            return frame;
        }
        else
        {
            var frame = factory.Tcp(Server, Client, serverSequence, clientSequence, flags, payload);
            serverSequence += advance;
            return frame;
        }
    }
}
