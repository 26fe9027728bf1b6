using System.Collections.Specialized;
using NFStream.Engine.Features;

namespace NFStream.Engine;

/// <summary>
/// One bidirectional flow. While the flow is active the meter updates it in place; once it expires it is
/// handed out, frozen, as the record that the pipeline, the CSV exporter and plugins read. Property names
/// are NFStream's column names, so scripts and feature lists written for NFStream carry over.
/// Which properties count as columns depends on the options (see <see cref="Columns"/>).
/// </summary>
public sealed class NFlow
{
    // ----- identity (filled at creation) -----
    internal ulong SrcIpHi, SrcIpLo, DstIpHi, DstIpLo;   // IPv4: Lo holds the address, Hi is 0
    internal ulong SrcMacValue, DstMacValue;              // 48-bit MACs, first byte most significant
    internal string? srcIpText, dstIpText, srcMacText, dstMacText;

    // ----- counters -----
    internal ulong BiFirst, BiLast, BiPackets, BiBytes;
    internal ulong S2dFirst, S2dLast, S2dPackets, S2dBytes;
    internal ulong D2sFirst, D2sLast, D2sPackets, D2sBytes;

    internal RunningSizeStats BiPs, S2dPs, D2sPs;
    internal RunningGapStats BiPiat, S2dPiat, D2sPiat;
    internal TcpFlagCounters BiFlags, S2dFlags, D2sFlags;

    internal SpltEntry[]? Splt;
    internal L7Result? L7;
    internal Dpi.DpiFlowState Dpi;

    // ----- cache bookkeeping: creation order for the idle scan and the end-of-input flush -----
    internal NFlow? Older, Newer;
    // ----- sharded runs: the single-meter order that FlowSequencer rebuilds (pipeline thread only) -----
    internal NFlow? SeqOlder, SeqNewer;
    internal byte SeqState;
    internal Flows.FlowKey Key;
    internal FlowColumnSet ColumnSet;
    internal OrderedDictionary? userValues;

    internal NFlow() { }

    /// <summary>The column groups this flow carries.</summary>
    public FlowColumnSet Columns => ColumnSet;

    public long id { get; internal set; }

    /// <summary>0 idle timeout or end of input, 1 active timeout, -1 (or any value a plugin sets) custom.</summary>
    public int expiration_id { get; set; }

    public string src_ip => srcIpText ??= IpText.Format(ip_version, SrcIpHi, SrcIpLo);
    public string src_mac => srcMacText ??= MacText.Format(SrcMacValue);
    public string src_oui => src_mac.Substring(0, 8);
    public int src_port { get; internal set; }
    public string dst_ip => dstIpText ??= IpText.Format(ip_version, DstIpHi, DstIpLo);
    public string dst_mac => dstMacText ??= MacText.Format(DstMacValue);
    public string dst_oui => dst_mac.Substring(0, 8);
    public int dst_port { get; internal set; }
    public int protocol { get; internal set; }
    public int ip_version { get; internal set; }
    public int vlan_id { get; internal set; }
    public int tunnel_id { get; internal set; }

    public ulong bidirectional_first_seen_ms => BiFirst;
    public ulong bidirectional_last_seen_ms => BiLast;
    public ulong bidirectional_duration_ms => BiLast - BiFirst;
    public ulong bidirectional_packets => BiPackets;
    public ulong bidirectional_bytes => BiBytes;
    public ulong src2dst_first_seen_ms => S2dFirst;
    public ulong src2dst_last_seen_ms => S2dLast;
    public ulong src2dst_duration_ms => S2dLast - S2dFirst;
    public ulong src2dst_packets => S2dPackets;
    public ulong src2dst_bytes => S2dBytes;
    public ulong dst2src_first_seen_ms => D2sFirst;
    public ulong dst2src_last_seen_ms => D2sLast;
    public ulong dst2src_duration_ms => D2sLast - D2sFirst;
    public ulong dst2src_packets => D2sPackets;
    public ulong dst2src_bytes => D2sBytes;

    public int bidirectional_min_ps => BiPs.Min;
    public double bidirectional_mean_ps => BiPs.Mean;
    public double bidirectional_stddev_ps => BiPs.StdDev(BiPackets);
    public int bidirectional_max_ps => BiPs.Max;
    public int src2dst_min_ps => S2dPs.Min;
    public double src2dst_mean_ps => S2dPs.Mean;
    public double src2dst_stddev_ps => S2dPs.StdDev(S2dPackets);
    public int src2dst_max_ps => S2dPs.Max;
    public int dst2src_min_ps => D2sPs.Min;
    public double dst2src_mean_ps => D2sPs.Mean;
    public double dst2src_stddev_ps => D2sPs.StdDev(D2sPackets);
    public int dst2src_max_ps => D2sPs.Max;

    public ulong bidirectional_min_piat_ms => BiPiat.Min;
    public double bidirectional_mean_piat_ms => BiPiat.Mean;
    public double bidirectional_stddev_piat_ms => BiPiat.StdDev(BiPackets);
    public ulong bidirectional_max_piat_ms => BiPiat.Max;
    public ulong src2dst_min_piat_ms => S2dPiat.Min;
    public double src2dst_mean_piat_ms => S2dPiat.Mean;
    public double src2dst_stddev_piat_ms => S2dPiat.StdDev(S2dPackets);
    public ulong src2dst_max_piat_ms => S2dPiat.Max;
    public ulong dst2src_min_piat_ms => D2sPiat.Min;
    public double dst2src_mean_piat_ms => D2sPiat.Mean;
    public double dst2src_stddev_piat_ms => D2sPiat.StdDev(D2sPackets);
    public ulong dst2src_max_piat_ms => D2sPiat.Max;

    public ulong bidirectional_syn_packets => BiFlags.Syn;
    public ulong bidirectional_cwr_packets => BiFlags.Cwr;
    public ulong bidirectional_ece_packets => BiFlags.Ece;
    public ulong bidirectional_urg_packets => BiFlags.Urg;
    public ulong bidirectional_ack_packets => BiFlags.Ack;
    public ulong bidirectional_psh_packets => BiFlags.Psh;
    public ulong bidirectional_rst_packets => BiFlags.Rst;
    public ulong bidirectional_fin_packets => BiFlags.Fin;
    public ulong src2dst_syn_packets => S2dFlags.Syn;
    public ulong src2dst_cwr_packets => S2dFlags.Cwr;
    public ulong src2dst_ece_packets => S2dFlags.Ece;
    public ulong src2dst_urg_packets => S2dFlags.Urg;
    public ulong src2dst_ack_packets => S2dFlags.Ack;
    public ulong src2dst_psh_packets => S2dFlags.Psh;
    public ulong src2dst_rst_packets => S2dFlags.Rst;
    public ulong src2dst_fin_packets => S2dFlags.Fin;
    public ulong dst2src_syn_packets => D2sFlags.Syn;
    public ulong dst2src_cwr_packets => D2sFlags.Cwr;
    public ulong dst2src_ece_packets => D2sFlags.Ece;
    public ulong dst2src_urg_packets => D2sFlags.Urg;
    public ulong dst2src_ack_packets => D2sFlags.Ack;
    public ulong dst2src_psh_packets => D2sFlags.Psh;
    public ulong dst2src_rst_packets => D2sFlags.Rst;
    public ulong dst2src_fin_packets => D2sFlags.Fin;

    // Built on each read from the flow's one SPLT array: the caller gets its own copy of the frozen record.
    public int[] splt_direction => SpltSeries.Directions(Splt, BiPackets);
    public int[] splt_ps => SpltSeries.Sizes(Splt, BiPackets);
    public long[] splt_piat_ms => SpltSeries.Gaps(Splt, BiPackets);

    public string application_name => L7?.ApplicationName ?? "";
    public string application_category_name => L7?.CategoryName ?? "";
    public int application_is_guessed => L7?.IsGuessed ?? 0;
    public int application_confidence => L7?.Confidence ?? 0;
    public string requested_server_name => L7?.RequestedServerName ?? "";
    public string client_fingerprint => L7?.ClientFingerprint ?? "";
    public string server_fingerprint => L7?.ServerFingerprint ?? "";
    public string user_agent => L7?.UserAgent ?? "";
    public string content_type => L7?.ContentType ?? "";

    /// <summary>Plugin values (NFStream's udps), in creation order. Empty unless plugins set values.</summary>
    public OrderedDictionary udps => userValues ??= new OrderedDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>True when a plugin has stored at least one udps value.</summary>
    public bool HasUserValues => userValues is { Count: > 0 };

    public override string ToString() =>
        $"{id}: {src_ip}:{src_port} -> {dst_ip}:{dst_port} proto {protocol}, {BiPackets} packets, {BiBytes} bytes";
}

/// <summary>Layer-7 results that a classifier leaves on a flow when it expires.</summary>
public sealed class L7Result
{
    public string ApplicationName { get; set; } = "Unknown";
    public string CategoryName { get; set; } = "";
    public int IsGuessed { get; set; }
    public int Confidence { get; set; }
    public string RequestedServerName { get; set; } = "";
    public string ClientFingerprint { get; set; } = "";
    public string ServerFingerprint { get; set; } = "";
    public string UserAgent { get; set; } = "";
    public string ContentType { get; set; } = "";
}
