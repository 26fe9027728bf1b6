using System.Text;

namespace NFStream.Engine.Export;

/// <summary>
/// The column set of an export file, fixed by its first flow (or by the header already in the file): the
/// NFStream columns of the flow's options, then one udps.NAME column per plugin value. Every later flow must
/// carry the same set, or it would be written as a misaligned row (or with made-up values); exporters call
/// <see cref="Check"/> before writing each flow and stop with its message. Shared by every flow exporter.
/// </summary>
public sealed class ExportLayout
{
    private ExportLayout(FlowColumnSet set, string[] udpsNames)
    {
        ColumnSet = set;
        Columns = FlowColumns.For(set);
        UserValueNames = udpsNames;
    }

    /// <summary>The column groups every flow of the file must carry.</summary>
    public FlowColumnSet ColumnSet { get; }

    /// <summary>The NFStream columns, in order.</summary>
    public IReadOnlyList<FlowColumn> Columns { get; }

    /// <summary>The plugin value names (written as udps.NAME after the columns), in the first flow's order.</summary>
    public IReadOnlyList<string> UserValueNames { get; }

    /// <summary>Every column name, as a header lists them.</summary>
    public IEnumerable<string> Names => Columns.Select(c => c.Name).Concat(UserValueNames.Select(n => "udps." + n));

    public int Count => Columns.Count + UserValueNames.Count;

    /// <summary>The layout of a flow: its column groups and its plugin values' names.</summary>
    public static ExportLayout Of(NFlow flow) => new(flow.Columns,
        flow.HasUserValues ? flow.udps.Keys.Cast<object>().Select(k => k.ToString()!).ToArray() : Array.Empty<string>());

    /// <summary>The layout of flows of some options without plugin values (what an empty run writes).</summary>
    public static ExportLayout Of(FlowColumnSet set) => new(set, Array.Empty<string>());

    /// <summary>
    /// Null when the flow fits this layout; otherwise what differs, for a terminating error. A flow may lack a
    /// plugin value (its cell stays empty) but not carry one that the layout has no column for.
    /// </summary>
    public string? Check(NFlow flow)
    {
        if (flow.Columns != ColumnSet)
            return $"flow {flow.id} has the columns of other options ({Describe(flow.Columns)}) than the first flow of the file ({Describe(ColumnSet)})";
        if (!flow.HasUserValues) return null;
        var values = flow.udps;
        int known = 0;
        for (int i = 0; i < UserValueNames.Count; i++)
        {
            if (values.Contains(UserValueNames[i])) known++;
        }
        if (known == values.Count) return null;
        var extra = values.Keys.Cast<object>().Select(k => k.ToString()!)
            .Where(k => !UserValueNames.Contains(k, StringComparer.OrdinalIgnoreCase));
        return $"flow {flow.id} has plugin values that the first flow of the file did not have ({string.Join(", ", extra.Select(n => "udps." + n))}); " +
            "set every plugin value on every flow (for example to $null in OnInit) so that the file's columns are known from its first flow";
    }

    /// <summary>The header line (without its line end): every name, quoted where RFC 4180 needs it.</summary>
    public string HeaderLine()
    {
        var line = new StringBuilder();
        foreach (var name in Names)
        {
            if (line.Length > 0) line.Append(',');
            AppendField(line, name);
        }
        return line.ToString();
    }

    /// <summary>Appends a CSV field, quoted (with quotes doubled) when it holds a comma, a quote, CR or LF.</summary>
    public static void AppendField(StringBuilder line, string field)
    {
        if (field.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            line.Append(field);
            return;
        }
        line.Append('"').Append(field.Replace("\"", "\"\"")).Append('"');
    }

    /// <summary>
    /// The fields of the first record of a CSV text (RFC 4180: quoted fields may hold commas, quotes and line
    /// ends); null when the text holds no complete first line.
    /// </summary>
    public static IReadOnlyList<string>? ParseHeader(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c == '\n' || c == '\r') { fields.Add(field.ToString()); return fields; }
            else field.Append(c);
        }
        return null;
    }

    /// <summary>
    /// Null when a file's existing header names are this layout's; otherwise what differs, for a terminating error.
    /// </summary>
    public string? CheckHeader(IReadOnlyList<string> existing)
    {
        var names = Names.ToArray();
        if (existing.SequenceEqual(names, StringComparer.Ordinal)) return null;
        int i = 0;
        while (i < existing.Count && i < names.Length && existing[i] == names[i]) i++;
        string where = i < existing.Count && i < names.Length
            ? $"column {i + 1} is '{existing[i]}' in the file and '{names[i]}' in the flows"
            : i < existing.Count ? $"the file has more columns, from '{existing[i]}' on" : $"the flows have more columns, from '{names[i]}' on";
        return $"the file has {existing.Count} columns and the flows have {names.Length} ({where}); append only flows of the same options and plugins";
    }

    private static string Describe(FlowColumnSet set) => set == FlowColumnSet.Core ? "core columns only" : set.ToString();
}
