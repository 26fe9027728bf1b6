using System.Collections;
using Parquet.Schema;

namespace NFStream.Engine.Export;

/// <summary>
/// The columns of a Parquet flow file, fixed by the first flow as in the CSV export: NFStream's columns for the
/// flow's options, in NFStream's order; then udps.NAME for each plugin value, typed by the .NET type of the first
/// flow's value; then, on request, source. Later flows must carry the same column groups and no other plugin values.
/// </summary>
public sealed class ParquetFlowLayout
{
    private ParquetFlowLayout(FlowColumnSet columnSet, IReadOnlyList<(string Name, Type Type)> udps, bool includeSource)
    {
        ColumnSet = columnSet;
        Columns = FlowColumns.For(columnSet);
        Udps = udps;
        IncludeSource = includeSource;
    }

    public FlowColumnSet ColumnSet { get; }

    public IReadOnlyList<FlowColumn> Columns { get; }

    /// <summary>Plugin values: name (without "udps.") and the CLR type of the Parquet column.</summary>
    public IReadOnlyList<(string Name, Type Type)> Udps { get; }

    public bool IncludeSource { get; }

    /// <summary>The column names, in file order.</summary>
    public IEnumerable<string> Names => Columns.Select(c => c.Name).Concat(Udps.Select(u => "udps." + u.Name))
        .Concat(IncludeSource ? new[] { FlowSourceColumn.Name } : Array.Empty<string>());

    /// <summary>The layout that a flow decides (its column groups and plugin values).</summary>
    public static ParquetFlowLayout For(NFlow first, bool includeSource = false)
    {
        var udps = new List<(string, Type)>();
        if (first.HasUserValues)
        {
            foreach (DictionaryEntry e in first.udps)
                udps.Add((e.Key.ToString()!, ColumnTypeOf(e.Value)));
        }
        return new ParquetFlowLayout(first.Columns, udps, includeSource);
    }

    /// <summary>The layout of a file without flows: NFStream's default columns.</summary>
    public static ParquetFlowLayout Empty(bool includeSource = false) =>
        new(new FlowOptions().Columns, Array.Empty<(string, Type)>(), includeSource);

    /// <summary>
    /// The Parquet type of a plugin value: booleans, 32- and 64-bit integers, unsigned 64-bit, float and double by
    /// their .NET type (smaller integers widen to 32 bits, uint to 64, decimal to double); anything else is text,
    /// written as Python's str() of the value, as in the CSV export.
    /// </summary>
    internal static Type ColumnTypeOf(object? value)
    {
        if (value is null) return typeof(string);
        return CsvFlowWriter.Unwrap(value) switch
        {
            bool => typeof(bool),
            sbyte or byte or short or ushort or int => typeof(int),
            uint or long => typeof(long),
            ulong => typeof(ulong),
            float => typeof(float),
            double or decimal => typeof(double),
            _ => typeof(string),
        };
    }

    /// <summary>Null when the flow fits this layout; otherwise why not (for the error record).</summary>
    public string? Mismatch(NFlow flow)
    {
        if (flow.Columns != ColumnSet)
            return $"its columns ({flow.Columns}) differ from those of the first flow ({ColumnSet}); export flows computed with the same options to one file";
        if (!flow.HasUserValues) return null;
        foreach (DictionaryEntry e in flow.udps)
        {
            string name = e.Key.ToString()!;
            if (!Udps.Any(u => string.Equals(u.Name, name, StringComparison.OrdinalIgnoreCase)))
                return $"it has the plugin value udps.{name}, which the first flow did not have";
        }
        return null;
    }

    /// <summary>The Parquet schema of a file: anonymized columns become text (their hashes).</summary>
    internal ParquetSchema Schema(FlowAnonymizer? anonymizer)
    {
        var fields = new List<Field>();
        foreach (var c in Columns)
        {
            if (anonymizer?.Covers(c.Name) == true)
            {
                fields.Add(new DataField<string>(c.Name, false));
                continue;
            }
            fields.Add(c.Kind switch
            {
                ColumnKind.Int or ColumnKind.UInt => new DataField<long>(c.Name, false),
                ColumnKind.Double => new DataField<double>(c.Name, false),
                ColumnKind.String => new DataField<string>(c.Name, false),
                ColumnKind.IntList => new ListField(c.Name, new DataField<int>("element", false)),
                _ => new ListField(c.Name, new DataField<long>("element", false)),
            });
        }
        foreach (var (name, type) in Udps)
        {
            var t = anonymizer?.Covers("udps." + name) == true ? typeof(string) : type;
            fields.Add(new DataField("udps." + name, t, isNullable: true));
        }
        if (IncludeSource) fields.Add(new DataField<string>(FlowSourceColumn.Name, false));
        return new ParquetSchema(fields);
    }
}
