namespace NFStream.Engine;

/// <summary>How a column's values are typed (and so how they are written to CSV).</summary>
public enum ColumnKind { Int, UInt, Double, String, IntList, LongList }

/// <summary>One NFStream column: its name, the group that makes it present, its type and its accessor.</summary>
public sealed class FlowColumn
{
    internal FlowColumn(string name, FlowColumnSet group, ColumnKind kind, Func<NFlow, long>? i = null,
        Func<NFlow, ulong>? u = null, Func<NFlow, double>? d = null, Func<NFlow, string>? s = null,
        Func<NFlow, int[]>? il = null, Func<NFlow, long[]>? ll = null)
    {
        Name = name;
        Group = group;
        Kind = kind;
        Int = i;
        UInt = u;
        Double = d;
        String = s;
        IntList = il;
        LongList = ll;
    }

    public string Name { get; }
    public FlowColumnSet Group { get; }
    public ColumnKind Kind { get; }
    internal Func<NFlow, long>? Int { get; }
    internal Func<NFlow, ulong>? UInt { get; }
    internal Func<NFlow, double>? Double { get; }
    internal Func<NFlow, string>? String { get; }
    internal Func<NFlow, int[]>? IntList { get; }
    internal Func<NFlow, long[]>? LongList { get; }

    /// <summary>The column's value for a flow, boxed (for reflection-style consumers such as PowerShell).</summary>
    public object GetValue(NFlow flow) => Kind switch
    {
        ColumnKind.Int => Int!(flow),
        ColumnKind.UInt => UInt!(flow),
        ColumnKind.Double => Double!(flow),
        ColumnKind.String => String!(flow),
        ColumnKind.IntList => IntList!(flow),
        _ => LongList!(flow),
    };

    public override string ToString() => Name;
}

/// <summary>
/// NFStream's columns in NFStream's order (flow.py __slots__ order). The single list that the CSV exporter, the
/// PowerShell adapter and the help's column reference all read.
/// </summary>
public static class FlowColumns
{
    /// <summary>Every column, in order; filter with <see cref="For"/>.</summary>
    public static IReadOnlyList<FlowColumn> All { get; } = new FlowColumn[]
    {
        new("id", FlowColumnSet.Core, ColumnKind.Int, i: f => f.id),
        new("expiration_id", FlowColumnSet.Core, ColumnKind.Int, i: f => f.expiration_id),
        new("src_ip", FlowColumnSet.Core, ColumnKind.String, s: f => f.src_ip),
        new("src_mac", FlowColumnSet.Core, ColumnKind.String, s: f => f.src_mac),
        new("src_oui", FlowColumnSet.Core, ColumnKind.String, s: f => f.src_oui),
        new("src_port", FlowColumnSet.Core, ColumnKind.Int, i: f => f.src_port),
        new("dst_ip", FlowColumnSet.Core, ColumnKind.String, s: f => f.dst_ip),
        new("dst_mac", FlowColumnSet.Core, ColumnKind.String, s: f => f.dst_mac),
        new("dst_oui", FlowColumnSet.Core, ColumnKind.String, s: f => f.dst_oui),
        new("dst_port", FlowColumnSet.Core, ColumnKind.Int, i: f => f.dst_port),
        new("protocol", FlowColumnSet.Core, ColumnKind.Int, i: f => f.protocol),
        new("ip_version", FlowColumnSet.Core, ColumnKind.Int, i: f => f.ip_version),
        new("vlan_id", FlowColumnSet.Core, ColumnKind.Int, i: f => f.vlan_id),
        new("tunnel_id", FlowColumnSet.Tunnel, ColumnKind.Int, i: f => f.tunnel_id),
        new("bidirectional_first_seen_ms", FlowColumnSet.Core, ColumnKind.UInt, u: f => f.bidirectional_first_seen_ms),
        new("bidirectional_last_seen_ms", FlowColumnSet.Core, ColumnKind.UInt, u: f => f.bidirectional_last_seen_ms),
        new("bidirectional_duration_ms", FlowColumnSet.Core, ColumnKind.UInt, u: f => f.bidirectional_duration_ms),
        new("bidirectional_packets", FlowColumnSet.Core, ColumnKind.UInt, u: f => f.bidirectional_packets),
        new("bidirectional_bytes", FlowColumnSet.Core, ColumnKind.UInt, u: f => f.bidirectional_bytes),
        new("src2dst_first_seen_ms", FlowColumnSet.Core, ColumnKind.UInt, u: f => f.src2dst_first_seen_ms),
        new("src2dst_last_seen_ms", FlowColumnSet.Core, ColumnKind.UInt, u: f => f.src2dst_last_seen_ms),
        new("src2dst_duration_ms", FlowColumnSet.Core, ColumnKind.UInt, u: f => f.src2dst_duration_ms),
        new("src2dst_packets", FlowColumnSet.Core, ColumnKind.UInt, u: f => f.src2dst_packets),
        new("src2dst_bytes", FlowColumnSet.Core, ColumnKind.UInt, u: f => f.src2dst_bytes),
        new("dst2src_first_seen_ms", FlowColumnSet.Core, ColumnKind.UInt, u: f => f.dst2src_first_seen_ms),
        new("dst2src_last_seen_ms", FlowColumnSet.Core, ColumnKind.UInt, u: f => f.dst2src_last_seen_ms),
        new("dst2src_duration_ms", FlowColumnSet.Core, ColumnKind.UInt, u: f => f.dst2src_duration_ms),
        new("dst2src_packets", FlowColumnSet.Core, ColumnKind.UInt, u: f => f.dst2src_packets),
        new("dst2src_bytes", FlowColumnSet.Core, ColumnKind.UInt, u: f => f.dst2src_bytes),
        new("bidirectional_min_ps", FlowColumnSet.Statistics, ColumnKind.Int, i: f => f.bidirectional_min_ps),
        new("bidirectional_mean_ps", FlowColumnSet.Statistics, ColumnKind.Double, d: f => f.bidirectional_mean_ps),
        new("bidirectional_stddev_ps", FlowColumnSet.Statistics, ColumnKind.Double, d: f => f.bidirectional_stddev_ps),
        new("bidirectional_max_ps", FlowColumnSet.Statistics, ColumnKind.Int, i: f => f.bidirectional_max_ps),
        new("src2dst_min_ps", FlowColumnSet.Statistics, ColumnKind.Int, i: f => f.src2dst_min_ps),
        new("src2dst_mean_ps", FlowColumnSet.Statistics, ColumnKind.Double, d: f => f.src2dst_mean_ps),
        new("src2dst_stddev_ps", FlowColumnSet.Statistics, ColumnKind.Double, d: f => f.src2dst_stddev_ps),
        new("src2dst_max_ps", FlowColumnSet.Statistics, ColumnKind.Int, i: f => f.src2dst_max_ps),
        new("dst2src_min_ps", FlowColumnSet.Statistics, ColumnKind.Int, i: f => f.dst2src_min_ps),
        new("dst2src_mean_ps", FlowColumnSet.Statistics, ColumnKind.Double, d: f => f.dst2src_mean_ps),
        new("dst2src_stddev_ps", FlowColumnSet.Statistics, ColumnKind.Double, d: f => f.dst2src_stddev_ps),
        new("dst2src_max_ps", FlowColumnSet.Statistics, ColumnKind.Int, i: f => f.dst2src_max_ps),
        new("bidirectional_min_piat_ms", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.bidirectional_min_piat_ms),
        new("bidirectional_mean_piat_ms", FlowColumnSet.Statistics, ColumnKind.Double, d: f => f.bidirectional_mean_piat_ms),
        new("bidirectional_stddev_piat_ms", FlowColumnSet.Statistics, ColumnKind.Double, d: f => f.bidirectional_stddev_piat_ms),
        new("bidirectional_max_piat_ms", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.bidirectional_max_piat_ms),
        new("src2dst_min_piat_ms", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.src2dst_min_piat_ms),
        new("src2dst_mean_piat_ms", FlowColumnSet.Statistics, ColumnKind.Double, d: f => f.src2dst_mean_piat_ms),
        new("src2dst_stddev_piat_ms", FlowColumnSet.Statistics, ColumnKind.Double, d: f => f.src2dst_stddev_piat_ms),
        new("src2dst_max_piat_ms", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.src2dst_max_piat_ms),
        new("dst2src_min_piat_ms", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.dst2src_min_piat_ms),
        new("dst2src_mean_piat_ms", FlowColumnSet.Statistics, ColumnKind.Double, d: f => f.dst2src_mean_piat_ms),
        new("dst2src_stddev_piat_ms", FlowColumnSet.Statistics, ColumnKind.Double, d: f => f.dst2src_stddev_piat_ms),
        new("dst2src_max_piat_ms", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.dst2src_max_piat_ms),
        new("bidirectional_syn_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.bidirectional_syn_packets),
        new("bidirectional_cwr_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.bidirectional_cwr_packets),
        new("bidirectional_ece_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.bidirectional_ece_packets),
        new("bidirectional_urg_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.bidirectional_urg_packets),
        new("bidirectional_ack_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.bidirectional_ack_packets),
        new("bidirectional_psh_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.bidirectional_psh_packets),
        new("bidirectional_rst_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.bidirectional_rst_packets),
        new("bidirectional_fin_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.bidirectional_fin_packets),
        new("src2dst_syn_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.src2dst_syn_packets),
        new("src2dst_cwr_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.src2dst_cwr_packets),
        new("src2dst_ece_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.src2dst_ece_packets),
        new("src2dst_urg_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.src2dst_urg_packets),
        new("src2dst_ack_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.src2dst_ack_packets),
        new("src2dst_psh_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.src2dst_psh_packets),
        new("src2dst_rst_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.src2dst_rst_packets),
        new("src2dst_fin_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.src2dst_fin_packets),
        new("dst2src_syn_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.dst2src_syn_packets),
        new("dst2src_cwr_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.dst2src_cwr_packets),
        new("dst2src_ece_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.dst2src_ece_packets),
        new("dst2src_urg_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.dst2src_urg_packets),
        new("dst2src_ack_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.dst2src_ack_packets),
        new("dst2src_psh_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.dst2src_psh_packets),
        new("dst2src_rst_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.dst2src_rst_packets),
        new("dst2src_fin_packets", FlowColumnSet.Statistics, ColumnKind.UInt, u: f => f.dst2src_fin_packets),
        new("splt_direction", FlowColumnSet.Splt, ColumnKind.IntList, il: f => f.splt_direction),
        new("splt_ps", FlowColumnSet.Splt, ColumnKind.IntList, il: f => f.splt_ps),
        new("splt_piat_ms", FlowColumnSet.Splt, ColumnKind.LongList, ll: f => f.splt_piat_ms),
        new("application_name", FlowColumnSet.Application, ColumnKind.String, s: f => f.application_name),
        new("application_category_name", FlowColumnSet.Application, ColumnKind.String, s: f => f.application_category_name),
        new("application_is_guessed", FlowColumnSet.Application, ColumnKind.Int, i: f => f.application_is_guessed),
        new("application_confidence", FlowColumnSet.Application, ColumnKind.Int, i: f => f.application_confidence),
        new("requested_server_name", FlowColumnSet.Application, ColumnKind.String, s: f => f.requested_server_name),
        new("client_fingerprint", FlowColumnSet.Application, ColumnKind.String, s: f => f.client_fingerprint),
        new("server_fingerprint", FlowColumnSet.Application, ColumnKind.String, s: f => f.server_fingerprint),
        new("user_agent", FlowColumnSet.Application, ColumnKind.String, s: f => f.user_agent),
        new("content_type", FlowColumnSet.Application, ColumnKind.String, s: f => f.content_type),
    };

    private static readonly Dictionary<FlowColumnSet, FlowColumn[]> BySet = new();
    private static readonly Dictionary<string, FlowColumn> ByName =
        All.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The columns present for a set of groups, in NFStream order.</summary>
    public static IReadOnlyList<FlowColumn> For(FlowColumnSet set)
    {
        lock (BySet)
        {
            if (!BySet.TryGetValue(set, out var columns))
            {
                columns = All.Where(c => c.Group == FlowColumnSet.Core || (set & c.Group) != 0).ToArray();
                BySet[set] = columns;
            }
            return columns;
        }
    }

    /// <summary>Finds a column by name (case-insensitive).</summary>
    public static bool TryGet(string name, out FlowColumn column) => ByName.TryGetValue(name, out column!);
}
