using NFStream.Engine.Flows;
namespace NFStream.Engine;

/// <summary>Which per-packet size feeds bytes, packet-size statistics and SPLT (NFStream's accounting_mode).</summary>
public enum AccountingMode
{
    /// <summary>Wire length of the frame (pcap "len"), NFStream mode 0.</summary>
    LinkLayer = 0,
    /// <summary>IPv4 total length, or the IPv6 payload length, NFStream mode 1.</summary>
    IP = 1,
    /// <summary>Header-derived transport length, NFStream mode 2.</summary>
    Transport = 2,
    /// <summary>Transport payload length, NFStream mode 3.</summary>
    Payload = 3,
}

/// <summary>The flow-metering options of one run (NFStreamer's parameters that shape flows).</summary>
public sealed record FlowOptions
{
    public const ulong DefaultIdleTimeoutSeconds = 120;
    public const ulong DefaultActiveTimeoutSeconds = 1800;
    public const int DefaultMaxActiveFlows = 4_000_000;

    /// <summary>Idle timeout in seconds (NFStream idle_timeout).</summary>
    public ulong IdleTimeoutSeconds { get; init; } = DefaultIdleTimeoutSeconds;

    /// <summary>Active timeout in seconds (NFStream active_timeout).</summary>
    public ulong ActiveTimeoutSeconds { get; init; } = DefaultActiveTimeoutSeconds;

    public AccountingMode AccountingMode { get; init; } = AccountingMode.LinkLayer;

    /// <summary>Decode GTP-U, TZSP and CAPWAP; also makes the tunnel_id column exist.</summary>
    public bool DecodeTunnels { get; init; } = true;

    /// <summary>Compute the 48 statistical columns.</summary>
    public bool StatisticalAnalysis { get; init; }

    /// <summary>Length of the early-packet (SPLT) arrays; 0 disables them.</summary>
    public int SpltAnalysis { get; init; }

    /// <summary>Packets per flow handed to the DPI classifier; 0 disables DPI and the L7 columns.</summary>
    public int NDissections { get; init; } = 20;

    /// <summary>
    /// Whether a run classifies flows with nDPI and carries the layer-7 columns: the one place that decides
    /// (NFStream's n_dissections 0 switches both off; docs/nfstream-semantics.md#dpi).
    /// </summary>
    public bool UsesDpi => NDissections > 0;

    /// <summary>Upper bound on flows held at once; reaching it evicts the oldest flow early.</summary>
    public int MaxActiveFlows { get; init; } = DefaultMaxActiveFlows;

    /// <summary>
    /// Meter threads (NFStream's n_meters): flows are sharded over them by a direction-agnostic hash and come
    /// back in the single-meter order, so the output does not depend on it. 0 chooses by core count
    /// (<see cref="ResolveMeters"/>). Plugins always run with one meter.
    /// </summary>
    public int Meters { get; init; } = 1;

    /// <summary>
    /// With one meter and no plugins, run nDPI on a thread of its own beside the meter's (<see cref="Flows.DpiThread"/>):
    /// the same calls in the same order on the same module, so the same results, in less wall time where a core is
    /// free for it. Flows come out once their classification is done, so a caller that waits for packets (a live
    /// capture) should leave it off; <see cref="Flows.MeterPlan.ClassifyOnOwnThread"/> decides for a file run.
    /// </summary>
    public bool DpiOnOwnThread { get; init; }

    /// <summary>
    /// The meter count a run uses: <see cref="Meters"/>, or for 0 the automatic choice of <see cref="MeterPlan"/>
    /// (one meter per core but one, at most 16; one meter on 2 cores or fewer, where sharding cannot pay).
    /// </summary>
    public int ResolveMeters(int processorCount) =>
        Meters > 0 ? Meters : MeterPlan.Choose(0, processorCount);

    internal ulong IdleTimeoutMs => Saturate(IdleTimeoutSeconds);
    internal ulong ActiveTimeoutMs => Saturate(ActiveTimeoutSeconds);

    private static ulong Saturate(ulong seconds) => seconds > ulong.MaxValue / 1000 ? ulong.MaxValue : seconds * 1000;

    /// <summary>The column groups that flows metered with these options carry.</summary>
    public FlowColumnSet Columns => FlowColumnSetExtensions.For(this);
}
