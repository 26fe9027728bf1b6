namespace NFStream.Engine;

/// <summary>The optional column groups of a flow, decided by the options as in NFStream.</summary>
[Flags]
public enum FlowColumnSet
{
    Core = 0,
    /// <summary>tunnel_id, present when tunnel decoding is on.</summary>
    Tunnel = 1,
    /// <summary>The 48 statistical columns.</summary>
    Statistics = 2,
    /// <summary>splt_direction, splt_ps, splt_piat_ms.</summary>
    Splt = 4,
    /// <summary>The nine layer-7 columns from DPI.</summary>
    Application = 8,
}

public static class FlowColumnSetExtensions
{
    /// <summary>The columns of flows metered with the default options.</summary>
    public static FlowColumnSet Default => For(new FlowOptions());

    internal static FlowColumnSet For(FlowOptions o) =>
        (o.DecodeTunnels ? FlowColumnSet.Tunnel : 0)
        | (o.StatisticalAnalysis ? FlowColumnSet.Statistics : 0)
        | (o.SpltAnalysis > 0 ? FlowColumnSet.Splt : 0)
        | (o.UsesDpi ? FlowColumnSet.Application : 0);
}
