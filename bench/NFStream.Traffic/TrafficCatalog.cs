using System.Net;
using NFStream.Engine.Samples;

namespace NFStream.Traffic;

/// <summary>
/// The hosts, names and payloads a generated capture draws from: a client population (IPv4 and IPv6), servers
/// with the names their TLS SNI, HTTP Host and DNS queries carry, browser User-Agents, and the application
/// payloads (built once by <see cref="ApplicationPayloads"/>, then reused).
/// </summary>
public sealed class TrafficCatalog
{
    private static readonly string[] Domains =
    {
        "google.com", "youtube.com", "facebook.com", "instagram.com", "whatsapp.net", "netflix.com", "microsoft.com",
        "office365.com", "live.com", "apple.com", "icloud.com", "amazon.com", "amazonaws.com", "cloudflare.com",
        "github.com", "wikipedia.org", "twitter.com", "linkedin.com", "zoom.us", "slack.com", "spotify.com",
        "dropbox.com", "akamaihd.net", "fastly.net", "tiktok.com", "reddit.com", "bing.com", "yahoo.com",
        "ebay.com", "paypal.com", "skype.com", "teams.microsoft.com", "googlevideo.com", "gstatic.com",
        "doubleclick.net", "example.org", "debian.org", "ubuntu.com", "mozilla.org", "stackoverflow.com",
    };

    private static readonly string[] Prefixes = { "www", "api", "cdn", "static", "edge", "img", "video", "m", "login", "mail" };

    private static readonly string[] UserAgents =
    {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
        "curl/8.5.0",
        "Debian APT-HTTP/1.3 (2.6.1)",
        "Microsoft-CryptoAPI/10.0",
    };

    private static readonly string[] ContentTypes =
    {
        "text/html; charset=utf-8", "application/json", "image/jpeg", "image/png", "application/javascript",
        "text/css", "video/mp4", "application/octet-stream",
    };

    public const ulong GatewayMac = 0x0011_2233_4455;

    public TrafficCatalog(DeterministicRandom random, int clients = 4000, int servers = 3000)
    {
        var names = new List<string>();
        foreach (var domain in Domains)
            foreach (var prefix in Prefixes)
                names.Add(prefix + "." + domain);
        ServerNames = names;

        Clients4 = new SampleEndpoint[clients];
        Clients6 = new SampleEndpoint[clients / 4];
        for (int i = 0; i < Clients4.Length; i++)
        {
            ulong mac = 0x0050_5600_0000UL + (ulong)i;
            var address = new IPAddress(new byte[] { 10, (byte)(i >> 16 & 0x0f), (byte)(i >> 8), (byte)(i | 1) });
            Clients4[i] = new SampleEndpoint(mac, address, 0);
        }
        for (int i = 0; i < Clients6.Length; i++)
        {
            ulong mac = 0x0050_5610_0000UL + (ulong)i;
            var bytes = new byte[16];
            bytes[0] = 0x20; bytes[1] = 0x01; bytes[2] = 0x0d; bytes[3] = 0xb8;
            bytes[8] = (byte)(random.NextUInt64() | 0x02);
            for (int b = 9; b < 16; b++) bytes[b] = (byte)random.NextUInt64();
            Clients6[i] = new SampleEndpoint(mac, new IPAddress(bytes), 0);
        }
        Servers4 = new SampleEndpoint[servers];
        Servers6 = new SampleEndpoint[servers / 4];
        for (int i = 0; i < Servers4.Length; i++)
        {
            var address = new IPAddress(new byte[]
            {
                (byte)random.Next(20, 220), (byte)random.NextUInt64(), (byte)random.NextUInt64(), (byte)random.Next(1, 254),
            });
            Servers4[i] = new SampleEndpoint(GatewayMac, address, 0);
        }
        for (int i = 0; i < Servers6.Length; i++)
        {
            var bytes = new byte[16];
            bytes[0] = 0x2a; bytes[1] = 0x00;
            for (int b = 2; b < 16; b++) bytes[b] = (byte)random.NextUInt64();
            Servers6[i] = new SampleEndpoint(GatewayMac, new IPAddress(bytes), 0);
        }
        Resolvers4 = new[] { new SampleEndpoint(GatewayMac, "10.0.0.53", 53), new SampleEndpoint(GatewayMac, "8.8.8.8", 53) };
        Resolvers6 = new[] { new SampleEndpoint(GatewayMac, "2001:db8::53", 53) };

        foreach (var name in names)
        {
            ClientHellos[name] = ApplicationPayloads.TlsClientHello(name);
            var query = ApplicationPayloads.DnsQuery(name);
            DnsQueries[name] = query;
            var response = (byte[])query.Clone();
            response[2] = 0x81;
            response[3] = 0x80;
            DnsResponses[name] = response;
        }
        foreach (var type in ContentTypes) HttpResponses.Add(ApplicationPayloads.HttpResponse(type));
        for (int i = 0; i < 64; i++)
        {
            string host = random.Pick(names);
            HttpRequests.Add(ApplicationPayloads.HttpGet(host, random.Pick(UserAgents)));
        }
        SshClientBanner = ApplicationPayloads.SshBanner("OpenSSH_9.6");
        SshServerBanner = ApplicationPayloads.SshBanner("OpenSSH_9.2p1 Debian-2");
        SshClientKex = ApplicationPayloads.SshClientKexInit();
        SshServerKex = ApplicationPayloads.SshServerKexInit();
        Bulk = new byte[1460];
        for (int i = 0; i < Bulk.Length; i++) Bulk[i] = (byte)random.NextUInt64();
        TlsRecord = new byte[1460];
        Bulk.CopyTo(TlsRecord, 0);
        TlsRecord[0] = 0x17; TlsRecord[1] = 0x03; TlsRecord[2] = 0x03;
        TlsRecord[3] = (byte)((TlsRecord.Length - 5) >> 8); TlsRecord[4] = (byte)(TlsRecord.Length - 5);
        ServerHello = new byte[1400];
        Bulk.AsSpan(0, ServerHello.Length).CopyTo(ServerHello);
        ServerHello[0] = 0x16; ServerHello[1] = 0x03; ServerHello[2] = 0x03;
        ServerHello[3] = (byte)((ServerHello.Length - 5) >> 8); ServerHello[4] = (byte)(ServerHello.Length - 5);
        ServerHello[5] = 0x02;
        QuicInitial = new byte[1252];
        Bulk.AsSpan(0, QuicInitial.Length).CopyTo(QuicInitial);
        // Long header, Initial, QUIC v1, 8-byte connection ids, no token; the rest stands for the protected payload.
        QuicInitial[0] = 0xc3; QuicInitial[1] = 0; QuicInitial[2] = 0; QuicInitial[3] = 0; QuicInitial[4] = 1;
        QuicInitial[5] = 8; QuicInitial[14] = 8; QuicInitial[23] = 0; QuicInitial[24] = 0x44; QuicInitial[25] = 0xd0;
        QuicShort = (byte[])Bulk.Clone();
        QuicShort[0] = 0x43;
    }

    public IReadOnlyList<string> ServerNames { get; }
    public SampleEndpoint[] Clients4 { get; }
    public SampleEndpoint[] Clients6 { get; }
    public SampleEndpoint[] Servers4 { get; }
    public SampleEndpoint[] Servers6 { get; }
    public SampleEndpoint[] Resolvers4 { get; }
    public SampleEndpoint[] Resolvers6 { get; }

    public Dictionary<string, byte[]> ClientHellos { get; } = new();
    public Dictionary<string, byte[]> DnsQueries { get; } = new();
    public Dictionary<string, byte[]> DnsResponses { get; } = new();
    public List<byte[]> HttpRequests { get; } = new();
    public List<byte[]> HttpResponses { get; } = new();
    public byte[] SshClientBanner { get; }
    public byte[] SshServerBanner { get; }
    public byte[] SshClientKex { get; }
    public byte[] SshServerKex { get; }
    /// <summary>Opaque bytes for bulk segments.</summary>
    public byte[] Bulk { get; }
    /// <summary>A TLS application-data record header over opaque bytes.</summary>
    public byte[] TlsRecord { get; }
    /// <summary>A TLS handshake record that starts like a ServerHello.</summary>
    public byte[] ServerHello { get; }
    /// <summary>A QUIC v1 Initial packet (long header) padded to 1252 bytes.</summary>
    public byte[] QuicInitial { get; }
    /// <summary>A QUIC short-header packet's bytes (cut to size per packet).</summary>
    public byte[] QuicShort { get; }
}
