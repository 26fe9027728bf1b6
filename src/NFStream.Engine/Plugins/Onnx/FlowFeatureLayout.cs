using NFStream.Engine.Features;

namespace NFStream.Engine.Plugins.Onnx;

/// <summary>
/// Turns a flow into a model's input row: the named numeric columns in the given order, each SPLT series
/// (splt_direction, splt_ps, splt_piat_ms) expanded to its N values, padded with -1 as NFStream pads them.
/// Reading a flow allocates nothing.
/// </summary>
public sealed class FlowFeatureLayout
{
    private enum Source : byte { Int, UInt, Double, SpltDirection, SpltSize, SpltGap }

    private readonly Source[] sources;
    private readonly FlowColumn[] columns;

    /// <exception cref="ArgumentException">An unknown or non-numeric column.</exception>
    public FlowFeatureLayout(IReadOnlyList<string> names)
    {
        if (names.Count == 0) throw new ArgumentException("Give at least one feature column.");
        sources = new Source[names.Count];
        columns = new FlowColumn[names.Count];
        var seriesNames = new List<string>();
        for (int i = 0; i < names.Count; i++)
        {
            if (!FlowColumns.TryGet(names[i], out var column))
                throw new ArgumentException($"'{names[i]}' is not a flow column. Feature columns are numeric columns such as bidirectional_packets, bidirectional_mean_ps or splt_ps (see about_NFStream for the list).");
            columns[i] = column;
            sources[i] = column.Name switch
            {
                "splt_direction" => Source.SpltDirection,
                "splt_ps" => Source.SpltSize,
                "splt_piat_ms" => Source.SpltGap,
                _ => column.Kind switch
                {
                    ColumnKind.Int => Source.Int,
                    ColumnKind.UInt => Source.UInt,
                    ColumnKind.Double => Source.Double,
                    _ => throw new ArgumentException($"The column '{column.Name}' is text, not a number: a model's features must be numeric columns."),
                },
            };
            if (sources[i] >= Source.SpltDirection) seriesNames.Add(column.Name);
            else ScalarCount++;
        }
        Names = columns.Select(c => c.Name).ToArray();
        SeriesCount = seriesNames.Count;
        Required = columns.Aggregate(FlowColumnSet.Core, (set, c) => set | c.Group);
    }

    /// <summary>The columns, as NFStream spells them.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Columns that give one value each.</summary>
    public int ScalarCount { get; }

    /// <summary>SPLT series among the columns: each gives N values (the -SpltAnalysis length).</summary>
    public int SeriesCount { get; }

    /// <summary>The column groups the features need.</summary>
    public FlowColumnSet Required { get; }

    /// <summary>Values per row with SPLT series of length <paramref name="splt"/>.</summary>
    public int Width(int splt) => ScalarCount + SeriesCount * splt;

    /// <summary>Why flows metered with <paramref name="options"/> cannot give a row of <paramref name="width"/> values (-1: any), or null.</summary>
    public string? Check(FlowOptions options, int width)
    {
        var missing = Required & ~options.Columns;
        if ((missing & FlowColumnSet.Statistics) != 0)
            return $"the features include statistical columns ({string.Join(", ", columns.Where(c => c.Group == FlowColumnSet.Statistics).Select(c => c.Name))}): add -StatisticalAnalysis.";
        if ((missing & FlowColumnSet.Splt) != 0)
            return $"the features include SPLT series: add -SpltAnalysis {(SeriesCount > 0 && width > 0 ? (width - ScalarCount) / SeriesCount : 10)}.";
        if ((missing & FlowColumnSet.Application) != 0)
            return "the features include layer-7 columns: do not set -NDissections 0.";
        if ((missing & FlowColumnSet.Tunnel) != 0)
            return "the features include tunnel_id: do not set -DecodeTunnels $false.";
        if (width >= 0 && Width(options.SpltAnalysis) != width)
            return $"the model takes {width} values per flow, but with -SpltAnalysis {options.SpltAnalysis} the features give {Width(options.SpltAnalysis)}" +
                (SeriesCount > 0 ? $": use -SpltAnalysis {(width - ScalarCount) / SeriesCount}." : ".");
        return null;
    }

    /// <summary>Writes the flow's row into <paramref name="row"/> (its length is the row width).</summary>
    public void Write(NFlow flow, Span<float> row)
    {
        int at = 0;
        for (int i = 0; i < sources.Length; i++)
        {
            switch (sources[i])
            {
                case Source.Int: row[at++] = columns[i].Int!(flow); break;
                case Source.UInt: row[at++] = columns[i].UInt!(flow); break;
                case Source.Double: row[at++] = (float)columns[i].Double!(flow); break;
                default: at = WriteSeries(flow, sources[i], row, at, static v => (float)v); break;
            }
        }
    }

    /// <summary>Writes the flow's row as doubles (models whose input is double).</summary>
    public void Write(NFlow flow, Span<double> row)
    {
        int at = 0;
        for (int i = 0; i < sources.Length; i++)
        {
            switch (sources[i])
            {
                case Source.Int: row[at++] = columns[i].Int!(flow); break;
                case Source.UInt: row[at++] = columns[i].UInt!(flow); break;
                case Source.Double: row[at++] = columns[i].Double!(flow); break;
                default: at = WriteSeries(flow, sources[i], row, at, static v => v); break;
            }
        }
    }

    private static int WriteSeries<T>(NFlow flow, Source source, Span<T> row, int at, Func<double, T> convert)
    {
        var entries = flow.Splt;
        if (entries is null) return at;
        int recorded = (int)Math.Min(flow.BiPackets, (ulong)entries.Length);
        for (int p = 0; p < entries.Length; p++)
        {
            double value = p >= recorded ? -1 : source switch
            {
                Source.SpltDirection => entries[p].Direction,
                Source.SpltSize => entries[p].Size,
                _ => entries[p].PiatMs,
            };
            row[at++] = convert(value);
        }
        return at;
    }
}
