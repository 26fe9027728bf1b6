using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace NFStream.Engine.Export.Ipfix;

/// <summary>A collector's address: host:port, [IPv6]:port, or a bare host or address (port 4739, IPFIX's).</summary>
public static class IpfixDestination
{
    public const int DefaultPort = 4739;

    /// <summary>Splits <paramref name="text"/> into host and port; throws ArgumentException saying what is wrong.</summary>
    public static (string Host, int Port) Parse(string text)
    {
        string s = text.Trim();
        string host;
        string? port = null;
        if (s.StartsWith('['))
        {
            int close = s.IndexOf(']');
            if (close < 0) throw new ArgumentException($"'{text}': an IPv6 address in brackets lacks its ']'.");
            host = s[1..close];
            string rest = s[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':') throw new ArgumentException($"'{text}': expected ':port' after ']'.");
                port = rest[1..];
            }
        }
        else if (s.Count(c => c == ':') == 1)
        {
            int colon = s.IndexOf(':');
            host = s[..colon];
            port = s[(colon + 1)..];
        }
        else
        {
            host = s;   // a name, an IPv4 address, or an IPv6 address without brackets (no port then)
        }
        if (host.Length == 0) throw new ArgumentException($"'{text}': no host given (expected host:port).");
        int number = DefaultPort;
        if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number is < 1 or > 65535))
            throw new ArgumentException($"'{text}': the port must be a number from 1 to 65535.");
        return (host, number);
    }

    /// <summary>Parses and resolves <paramref name="text"/> (an IPv4 address first when a name has both).</summary>
    public static IPEndPoint Resolve(string text)
    {
        var (host, port) = Parse(text);
        if (IPAddress.TryParse(host, out var address)) return new IPEndPoint(address, port);
        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(host);
        }
        catch (SocketException e)
        {
            throw new ArgumentException($"'{text}': cannot resolve host '{host}': {e.Message}", e);
        }
        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new ArgumentException($"'{text}': host '{host}' has no address.");
        return new IPEndPoint(chosen, port);
    }

    /// <summary>host:port as text, IPv6 in brackets.</summary>
    public static string Format(IPEndPoint endpoint) =>
        endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]:{endpoint.Port}" : $"{endpoint.Address}:{endpoint.Port}";
}
