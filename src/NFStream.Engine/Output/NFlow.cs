using System.Collections.Specialized;
using NFStream.Engine.Features;

namespace NFStream.Engine;

/// <summary>
/// One bidirectional flow. While the flow is active the meter updates it in place; once it expires it is
/// handed out, frozen, as the record that the pipeline, the CSV exporter and plugins read. Property names
/// are NFStream's column names, so scripts and feature lists written for NFStream carry over.
/// Which properties count as columns depends on the options (the flow's <c>Columns</c>).
/// </summary>
/// <remarks>
/// The class itself has no public properties: its columns, <c>udps</c>, <c>Columns</c> and <c>HasUserValues</c> are
/// C# 14 extension properties (<see cref="NFlowProperties"/>), so C# reads them as <c>flow.bidirectional_packets</c>
/// with <c>using NFStream.Engine;</c>. PowerShell lists every public .NET property of an adapted object after its
/// adapter's properties, even those the adapter leaves out; with none, a flow's PowerShell properties are exactly
/// what the module's adapter gives: the columns of the flow's options, plus <c>udps</c> when a plugin stored values.
/// </remarks>
public sealed class NFlow
{
    // Declaration order is memory order within each kind of field (the runtime puts references first, then
    // plain fields by size, then structs): what the meter touches on every packet comes first in each kind, the
    // counters and one direction's statistics together, so a packet costs as few cache lines as it can.

    // ----- counters (every packet) -----
    internal ulong BiFirst, BiLast, BiPackets, BiBytes;
    internal ulong S2dFirst, S2dLast, S2dPackets, S2dBytes;
    internal ulong D2sFirst, D2sLast, D2sPackets, D2sBytes;
    // Octets as IPFIX counts them (IP header and payload), whatever the accounting mode: for flow export.
    internal ulong S2dIpOctets, D2sIpOctets;

    // ----- identity (filled at creation) -----
    internal ulong SrcIpHi, SrcIpLo, DstIpHi, DstIpLo;   // IPv4: Lo holds the address, Hi is 0
    internal ulong SrcMacValue, DstMacValue;              // 48-bit MACs, first byte most significant
    internal string? srcIpText, dstIpText, srcMacText, dstMacText;

    internal SpltEntry[]? Splt;
    internal Dpi.L7Result? L7;
    internal long DpiTicket;                                // with a DpiThread: the finish to wait for before handing out

    // ----- cache bookkeeping: creation order for the idle scan and the end-of-input flush -----
    internal NFlow? Older, Newer;
    // ----- sharded runs: the single-meter order that FlowSequencer rebuilds (pipeline thread only) -----
    internal NFlow? SeqOlder, SeqNewer;
    internal byte SeqState;
    /// <summary>Whether the flow's source sorts first in its <see cref="Key"/>: a packet whose source sorts the same way goes src to dst.</summary>
    internal bool SourceFirst;
    internal FlowColumnSet ColumnSet;
    internal OrderedDictionary? userValues;
    /// <summary>The capture the flow's first packet came from (path, or interface for a live capture).</summary>
    internal string? SourceName;

    // ----- the columns that are plain values (the others are computed from the fields above) -----
    internal long Id;
    internal int ExpirationId, SrcPort, DstPort, Protocol, IpVersion, VlanId, TunnelId;

    // ----- structs: the lookup key, then each direction's statistics together (bidirectional and src2dst
    // are updated on most packets) -----
    internal Decoding.FlowKey Key;
    internal RunningSizeStats BiPs;
    internal RunningGapStats BiPiat;
    internal TcpFlagCounters BiFlags;
    internal RunningSizeStats S2dPs;
    internal RunningGapStats S2dPiat;
    internal TcpFlagCounters S2dFlags;
    internal RunningSizeStats D2sPs;
    internal RunningGapStats D2sPiat;
    internal TcpFlagCounters D2sFlags;
    internal Dpi.DpiFlowState Dpi;

    internal NFlow() { }

    public override string ToString() =>
        $"{Id}: {this.src_ip}:{SrcPort} -> {this.dst_ip}:{DstPort} proto {Protocol}, {BiPackets} packets, {BiBytes} bytes";
}

/// <summary>
/// An <see cref="NFlow"/>'s public members, as extension properties (see the remarks on NFlow): NFStream's columns
/// under NFStream's names, the plugin values (<c>udps</c>), and the column groups the flow carries.
/// </summary>
public static class NFlowProperties
{
    extension(NFlow flow)
    {
        /// <summary>The column groups this flow carries.</summary>
        public FlowColumnSet Columns => flow.ColumnSet;

        public long id { get => flow.Id; internal set => flow.Id = value; }

        /// <summary>0 idle timeout or end of input, 1 active timeout, -1 (or any value a plugin sets) custom.</summary>
        public int expiration_id { get => flow.ExpirationId; set => flow.ExpirationId = value; }

        public string src_ip => flow.srcIpText ??= IpText.Format(flow.ip_version, flow.SrcIpHi, flow.SrcIpLo);
        public string src_mac => flow.srcMacText ??= MacText.Format(flow.SrcMacValue);
        public string src_oui => flow.src_mac.Substring(0, 8);
        public int src_port { get => flow.SrcPort; internal set => flow.SrcPort = value; }
        public string dst_ip => flow.dstIpText ??= IpText.Format(flow.ip_version, flow.DstIpHi, flow.DstIpLo);
        public string dst_mac => flow.dstMacText ??= MacText.Format(flow.DstMacValue);
        public string dst_oui => flow.dst_mac.Substring(0, 8);
        public int dst_port { get => flow.DstPort; internal set => flow.DstPort = value; }
        public int protocol { get => flow.Protocol; internal set => flow.Protocol = value; }
        public int ip_version { get => flow.IpVersion; internal set => flow.IpVersion = value; }
        public int vlan_id { get => flow.VlanId; internal set => flow.VlanId = value; }
        public int tunnel_id { get => flow.TunnelId; internal set => flow.TunnelId = value; }

        public ulong bidirectional_first_seen_ms => flow.BiFirst;
        public ulong bidirectional_last_seen_ms => flow.BiLast;
        public ulong bidirectional_duration_ms => flow.BiLast - flow.BiFirst;
        public ulong bidirectional_packets => flow.BiPackets;
        public ulong bidirectional_bytes => flow.BiBytes;
        public ulong src2dst_first_seen_ms => flow.S2dFirst;
        public ulong src2dst_last_seen_ms => flow.S2dLast;
        public ulong src2dst_duration_ms => flow.S2dLast - flow.S2dFirst;
        public ulong src2dst_packets => flow.S2dPackets;
        public ulong src2dst_bytes => flow.S2dBytes;
        public ulong dst2src_first_seen_ms => flow.D2sFirst;
        public ulong dst2src_last_seen_ms => flow.D2sLast;
        public ulong dst2src_duration_ms => flow.D2sLast - flow.D2sFirst;
        public ulong dst2src_packets => flow.D2sPackets;
        public ulong dst2src_bytes => flow.D2sBytes;

        public int bidirectional_min_ps => flow.BiPs.Min;
        public double bidirectional_mean_ps => flow.BiPs.Mean;
        public double bidirectional_stddev_ps => flow.BiPs.StdDev(flow.BiPackets);
        public int bidirectional_max_ps => flow.BiPs.Max;
        public int src2dst_min_ps => flow.S2dPs.Min;
        public double src2dst_mean_ps => flow.S2dPs.Mean;
        public double src2dst_stddev_ps => flow.S2dPs.StdDev(flow.S2dPackets);
        public int src2dst_max_ps => flow.S2dPs.Max;
        public int dst2src_min_ps => flow.D2sPs.Min;
        public double dst2src_mean_ps => flow.D2sPs.Mean;
        public double dst2src_stddev_ps => flow.D2sPs.StdDev(flow.D2sPackets);
        public int dst2src_max_ps => flow.D2sPs.Max;

        public ulong bidirectional_min_piat_ms => flow.BiPiat.Min;
        public double bidirectional_mean_piat_ms => flow.BiPiat.Mean;
        public double bidirectional_stddev_piat_ms => flow.BiPiat.StdDev(flow.BiPackets);
        public ulong bidirectional_max_piat_ms => flow.BiPiat.Max;
        public ulong src2dst_min_piat_ms => flow.S2dPiat.Min;
        public double src2dst_mean_piat_ms => flow.S2dPiat.Mean;
        public double src2dst_stddev_piat_ms => flow.S2dPiat.StdDev(flow.S2dPackets);
        public ulong src2dst_max_piat_ms => flow.S2dPiat.Max;
        public ulong dst2src_min_piat_ms => flow.D2sPiat.Min;
        public double dst2src_mean_piat_ms => flow.D2sPiat.Mean;
        public double dst2src_stddev_piat_ms => flow.D2sPiat.StdDev(flow.D2sPackets);
        public ulong dst2src_max_piat_ms => flow.D2sPiat.Max;

        public ulong bidirectional_syn_packets => flow.BiFlags.Syn;
        public ulong bidirectional_cwr_packets => flow.BiFlags.Cwr;
        public ulong bidirectional_ece_packets => flow.BiFlags.Ece;
        public ulong bidirectional_urg_packets => flow.BiFlags.Urg;
        public ulong bidirectional_ack_packets => flow.BiFlags.Ack;
        public ulong bidirectional_psh_packets => flow.BiFlags.Psh;
        public ulong bidirectional_rst_packets => flow.BiFlags.Rst;
        public ulong bidirectional_fin_packets => flow.BiFlags.Fin;
        public ulong src2dst_syn_packets => flow.S2dFlags.Syn;
        public ulong src2dst_cwr_packets => flow.S2dFlags.Cwr;
        public ulong src2dst_ece_packets => flow.S2dFlags.Ece;
        public ulong src2dst_urg_packets => flow.S2dFlags.Urg;
        public ulong src2dst_ack_packets => flow.S2dFlags.Ack;
        public ulong src2dst_psh_packets => flow.S2dFlags.Psh;
        public ulong src2dst_rst_packets => flow.S2dFlags.Rst;
        public ulong src2dst_fin_packets => flow.S2dFlags.Fin;
        public ulong dst2src_syn_packets => flow.D2sFlags.Syn;
        public ulong dst2src_cwr_packets => flow.D2sFlags.Cwr;
        public ulong dst2src_ece_packets => flow.D2sFlags.Ece;
        public ulong dst2src_urg_packets => flow.D2sFlags.Urg;
        public ulong dst2src_ack_packets => flow.D2sFlags.Ack;
        public ulong dst2src_psh_packets => flow.D2sFlags.Psh;
        public ulong dst2src_rst_packets => flow.D2sFlags.Rst;
        public ulong dst2src_fin_packets => flow.D2sFlags.Fin;

        // Built on each read from the flow's one SPLT array: the caller gets its own copy of the frozen record.
        public int[] splt_direction => SpltSeries.Directions(flow.Splt, flow.BiPackets);
        public int[] splt_ps => SpltSeries.Sizes(flow.Splt, flow.BiPackets);
        public long[] splt_piat_ms => SpltSeries.Gaps(flow.Splt, flow.BiPackets);

        public string application_name => flow.L7?.ApplicationName ?? "";
        public string application_category_name => flow.L7?.CategoryName ?? "";
        public int application_is_guessed => flow.L7?.IsGuessed ?? 0;
        public int application_confidence => flow.L7?.Confidence ?? 0;
        public string requested_server_name => flow.L7?.RequestedServerName ?? "";
        public string client_fingerprint => flow.L7?.ClientFingerprint ?? "";
        public string server_fingerprint => flow.L7?.ServerFingerprint ?? "";
        public string user_agent => flow.L7?.UserAgent ?? "";
        public string content_type => flow.L7?.ContentType ?? "";

        /// <summary>
        /// The capture that the flow's first packet came from: the file's path, or the interface of a live capture
        /// ("" for flows built without a source). Not one of NFStream's columns: exports add it on request.
        /// </summary>
        public string source => flow.SourceName ?? "";

        /// <summary>Plugin values (NFStream's udps), in creation order. Empty unless plugins set values.</summary>
        public OrderedDictionary udps => flow.userValues ??= new OrderedDictionary(StringComparer.OrdinalIgnoreCase);

        /// <summary>True when a plugin has stored at least one udps value.</summary>
        public bool HasUserValues => flow.userValues is { Count: > 0 };
    }
}
