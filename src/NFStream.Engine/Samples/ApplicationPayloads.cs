using System.Text;

namespace NFStream.Engine.Samples;

/// <summary>Hand-built application-layer payloads whose nDPI results are known (samples and tests).</summary>
public static class ApplicationPayloads
{
    /// <summary>MD5 of the JA3 string "771,4865-4866-49199-49200,0-10-11-13,29-23-24,0" of <see cref="TlsClientHello"/>.</summary>
    public const string TlsClientHelloJa3 = "9c9d32414e277e66144f16afd61c9144";

    /// <summary>HASSH of <see cref="SshClientKexInit"/> and <see cref="SshServerKexInit"/>, upper case as nDPI prints it.</summary>
    public const string SshClientHassh = "B21AAABFC9D2E45BAFEEF69AA7E7FADA";
    public const string SshServerHassh = "D76C2DDAAA35EA40B3647C17C8E6DA56";

    /// <summary>A TLS 1.2 ClientHello with SNI, supported_groups 29/23/24, ec_point_formats 0, signature_algorithms.</summary>
    public static byte[] TlsClientHello(string serverName)
    {
        var w = new PayloadWriter();
        w.U8(0x16).U16(0x0301);
        int recordLength = w.Reserve(2);
        w.U8(0x01);
        int handshakeLength = w.Reserve(3);
        w.U16(0x0303);
        for (int i = 0; i < 32; i++) w.U8((byte)(i * 7 + 1));
        w.U8(0);                                            // session id
        w.U16(8).U16(0x1301).U16(0x1302).U16(0xc02f).U16(0xc030);
        w.U8(1).U8(0);                                      // compression
        int extensionsLength = w.Reserve(2);
        byte[] name = Encoding.ASCII.GetBytes(serverName);
        w.U16(0x0000).U16((ushort)(name.Length + 5)).U16((ushort)(name.Length + 3)).U8(0).U16((ushort)name.Length).Bytes(name);
        w.U16(0x000a).U16(8).U16(6).U16(29).U16(23).U16(24);
        w.U16(0x000b).U16(2).U8(1).U8(0);
        w.U16(0x000d).U16(8).U16(6).U16(0x0403).U16(0x0804).U16(0x0401);
        w.FillLength(extensionsLength, 2);
        w.FillLength(handshakeLength, 3);
        w.FillLength(recordLength, 2);
        return w.ToArray();
    }

    public static byte[] HttpGet(string host, string userAgent) => Encoding.ASCII.GetBytes(
        $"GET /index.html HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {userAgent}\r\nAccept: */*\r\n\r\n");

    public static byte[] HttpResponse(string contentType) => Encoding.ASCII.GetBytes(
        $"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: {contentType}\r\nContent-Length: 5\r\n\r\nhello");

    public static byte[] DnsQuery(string name)
    {
        var w = new PayloadWriter();
        w.U16(0xbeef).U16(0x0100).U16(1).U16(0).U16(0).U16(0);
        foreach (string label in name.Split('.'))
        {
            w.U8((byte)label.Length).Bytes(Encoding.ASCII.GetBytes(label));
        }
        w.U8(0).U16(1).U16(1);
        return w.ToArray();
    }

    public static byte[] SshBanner(string software) => Encoding.ASCII.GetBytes($"SSH-2.0-{software}\r\n");

    public static byte[] SshClientKexInit() => SshKexInit("curve25519-sha256,diffie-hellman-group14-sha256",
        "ssh-ed25519,rsa-sha2-256", "aes128-ctr,aes256-gcm@openssh.com", "hmac-sha2-256", "none");

    public static byte[] SshServerKexInit() => SshKexInit("curve25519-sha256", "ssh-ed25519",
        "aes256-gcm@openssh.com", "hmac-sha2-512", "none,zlib@openssh.com");

    /// <summary>An SSH binary packet carrying SSH_MSG_KEXINIT; both directions use the same lists.</summary>
    private static byte[] SshKexInit(string kex, string hostKey, string cipher, string mac, string compression)
    {
        var payload = new PayloadWriter();
        payload.U8(20);
        for (int i = 0; i < 16; i++) payload.U8((byte)(0xa0 + i));
        foreach (string list in new[] { kex, hostKey, cipher, cipher, mac, mac, compression, compression, "", "" })
        {
            byte[] bytes = Encoding.ASCII.GetBytes(list);
            payload.U32((uint)bytes.Length).Bytes(bytes);
        }
        payload.U8(0).U32(0);
        byte[] body = payload.ToArray();
        int padding = 8 - (5 + body.Length) % 8;
        if (padding < 4) padding += 8;
        var packet = new PayloadWriter();
        packet.U32((uint)(1 + body.Length + padding)).U8((byte)padding).Bytes(body).Bytes(new byte[padding]);
        return packet.ToArray();
    }

    /// <summary>A DHCPDISCOVER with host name (option 12) and parameter request list 1,3,6,15, padded to 300 bytes.</summary>
    public static byte[] DhcpDiscover(string hostName)
    {
        var w = new PayloadWriter();
        w.U8(1).U8(1).U8(6).U8(0).U32(0x3903f326).U16(0).U16(0x8000);
        w.Bytes(new byte[16]);
        w.Bytes(new byte[] { 0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42 }).Bytes(new byte[10 + 64 + 128]);
        w.U32(0x63825363);
        w.U8(53).U8(1).U8(1);
        byte[] name = Encoding.ASCII.GetBytes(hostName);
        w.U8(12).U8((byte)name.Length).Bytes(name);
        w.U8(55).U8(4).U8(1).U8(3).U8(6).U8(15);
        w.U8(255);
        while (w.Length < 300) w.U8(0);
        return w.ToArray();
    }

    /// <summary>Bytes that no nDPI dissector recognises.</summary>
    public static byte[] Noise() => new byte[]
    {
        0x9f, 0x11, 0x00, 0x42, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02,
        0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
    };
}
