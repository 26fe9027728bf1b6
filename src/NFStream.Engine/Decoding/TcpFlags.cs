namespace NFStream.Engine.Decoding;

/// <summary>TCP flag bits as they sit in the TCP header's flags byte.</summary>
public static class TcpFlags
{
    public const byte Fin = 0x01, Syn = 0x02, Rst = 0x04, Psh = 0x08, Ack = 0x10, Urg = 0x20, Ece = 0x40, Cwr = 0x80;
}
