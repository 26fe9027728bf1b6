using System.Globalization;
using NFStream.Engine;

namespace NFStream.Formatting;

/// <summary>
/// The cells of NFlow's default table view (NFStream.format.ps1xml), short enough that id, endpoints, protocol,
/// packets, bytes, duration and application fit in 80 columns: counts over five digits in K/M/G, durations in the
/// largest unit that keeps them short, protocols by name. Display only: the flow's columns keep exact values.
/// </summary>
public static class FlowTableCells
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The source address (the port is in the list view and the columns: client ports are ephemeral).</summary>
    public static string Source(NFlow flow) => flow.src_ip;

    /// <summary>The destination address and port, IPv6 addresses in brackets.</summary>
    public static string Destination(NFlow flow) =>
        flow.ip_version == 6 ? $"[{flow.dst_ip}]:{flow.dst_port}" : $"{flow.dst_ip}:{flow.dst_port}";

    /// <summary>The IANA protocol name for the common protocols, else the number.</summary>
    public static string Protocol(NFlow flow) => ProtocolName(flow.protocol);

    public static string ProtocolName(int protocol) => protocol switch
    {
        1 => "ICMP",
        2 => "IGMP",
        6 => "TCP",
        17 => "UDP",
        41 => "IPv6",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        58 => "ICMP6",
        89 => "OSPF",
        132 => "SCTP",
        _ => protocol.ToString(Invariant),
    };

    /// <summary>A count in at most five characters: exact below 100,000, then K, M, G, ... with one decimal below 100.</summary>
    public static string Count(ulong value)
    {
        if (value < 100_000) return value.ToString(Invariant);
        ReadOnlySpan<char> units = ['K', 'M', 'G', 'T', 'P', 'E'];
        double scaled = value;
        int unit = -1;
        do { scaled /= 1000; unit++; } while (scaled >= 999.95 && unit < units.Length - 1);
        return (scaled < 99.95 ? scaled.ToString("0.0", Invariant) : scaled.ToString("0", Invariant)) + units[unit];
    }

    /// <summary>A duration in at most six characters: ms below a second, then s, m, h, d.</summary>
    public static string Duration(ulong milliseconds)
    {
        if (milliseconds < 1000) return milliseconds.ToString(Invariant) + "ms";
        double seconds = milliseconds / 1000.0;
        if (seconds < 59.95) return seconds.ToString("0.0", Invariant) + "s";
        if (seconds < 3600 - 3) return (seconds / 60).ToString("0.0", Invariant) + "m";
        if (seconds < 86400 - 180) return (seconds / 3600).ToString("0.0", Invariant) + "h";
        return (seconds / 86400).ToString(seconds < 86400 * 99.95 ? "0.0" : "0", Invariant) + "d";
    }

    public static string Packets(NFlow flow) => Count(flow.bidirectional_packets);

    public static string Bytes(NFlow flow) => Count(flow.bidirectional_bytes);

    public static string Duration(NFlow flow) => Duration(flow.bidirectional_duration_ms);

    /// <summary>nDPI's application name; empty when the flow was metered without nDPI.</summary>
    public static string Application(NFlow flow) => flow.application_name;
}
