using System.Collections;
using System.Globalization;

namespace NFStream.Engine.Export;

/// <summary>
/// Writes flows as NFStream's CSV: the same header and column order, integers as digits, floats as Python's
/// repr, lists as "[0, 1, -1]". Text is quoted per RFC 4180 (embedded quotes doubled) where NFStream writes
/// backslash escapes, so that any CSV reader, Import-Csv included, reads the file back. Header names are quoted
/// like any field. Text cells (from the network or from plugins) that would start a spreadsheet formula are
/// prefixed with a single quote unless <c>escapeFormulas</c> is false (<see cref="FormulaInjection"/>); numbers
/// are never touched.
/// </summary>
public sealed class CsvFlowWriter
{
    private readonly TextWriter writer;
    private readonly IReadOnlyList<FlowColumn> columns;
    private readonly IReadOnlyList<string> udpsNames;
    private readonly FlowAnonymizer? anonymizer;
    private readonly bool[] anonymized;
    private readonly char[] scratch = new char[64];
    private readonly bool escapeFormulas;
    private readonly bool includeSource;

    /// <summary>A writer for the columns of an <see cref="ExportLayout"/>.</summary>
    public CsvFlowWriter(TextWriter writer, ExportLayout layout, FlowAnonymizer? anonymizer = null, bool escapeFormulas = true,
        bool includeSource = false)
        : this(writer, layout.Columns, layout.UserValueNames, anonymizer, escapeFormulas, includeSource)
    {
    }

    /// <param name="udpsNames">Plugin value names (written as udps.NAME columns after the others).</param>
    /// <param name="includeSource">Adds a last column, source: the capture each flow came from (not an NFStream column).</param>
    public CsvFlowWriter(TextWriter writer, IReadOnlyList<FlowColumn> columns, IReadOnlyList<string>? udpsNames = null,
        FlowAnonymizer? anonymizer = null, bool escapeFormulas = true, bool includeSource = false)
    {
        this.writer = writer;
        this.escapeFormulas = escapeFormulas;
        this.includeSource = includeSource;
        this.columns = columns;
        this.udpsNames = udpsNames ?? Array.Empty<string>();
        this.anonymizer = anonymizer;
        anonymized = new bool[columns.Count + this.udpsNames.Count];
        if (anonymizer is not null)
        {
            for (int i = 0; i < columns.Count; i++) anonymized[i] = anonymizer.Covers(columns[i].Name);
            for (int i = 0; i < this.udpsNames.Count; i++) anonymized[columns.Count + i] = anonymizer.Covers("udps." + this.udpsNames[i]);
        }
    }

    /// <summary>The header line's names: the columns, then udps.NAME for each plugin value.</summary>
    public IEnumerable<string> HeaderNames => columns.Select(c => c.Name).Concat(udpsNames.Select(n => "udps." + n))
        .Concat(includeSource ? new[] { FlowSourceColumn.Name } : Array.Empty<string>());

    public void WriteHeader()
    {
        var line = new System.Text.StringBuilder();
        foreach (var name in HeaderNames)
        {
            if (line.Length > 0) line.Append(',');
            ExportLayout.AppendField(line, name);
        }
        writer.Write(line.ToString());
        writer.Write('\n');
    }

    public void Write(NFlow flow)
    {
        for (int i = 0; i < columns.Count; i++)
        {
            if (i > 0) writer.Write(',');
            var c = columns[i];
            if (anonymized[i])
            {
                WriteQuoted(anonymizer!.Hash(PythonText(c.GetValue(flow))));
                continue;
            }
            switch (c.Kind)
            {
                case ColumnKind.Int: WriteInt(c.Int!(flow)); break;
                case ColumnKind.UInt: WriteUInt(c.UInt!(flow)); break;
                case ColumnKind.Double: WriteDouble(c.Double!(flow)); break;
                case ColumnKind.String: WriteText(c.String!(flow)); break;
                case ColumnKind.IntList: WriteQuoted(ListText(c.IntList!(flow))); break;
                case ColumnKind.LongList: WriteQuoted(ListText(c.LongList!(flow))); break;
            }
        }
        for (int i = 0; i < udpsNames.Count; i++)
        {
            if (columns.Count + i > 0) writer.Write(',');
            object? value = flow.HasUserValues && flow.udps.Contains(udpsNames[i]) ? flow.udps[udpsNames[i]] : null;
            if (value is null) continue;
            if (anonymized[columns.Count + i]) WriteQuoted(anonymizer!.Hash(PythonText(value)));
            else WriteValue(value);
        }
        if (includeSource)
        {
            writer.Write(',');
            if (anonymizer is not null && anonymizer.Covers(FlowSourceColumn.Name)) WriteQuoted(anonymizer.Hash(flow.source));
            else WriteQuoted(flow.source);
        }
        writer.Write('\n');
    }

    private void WriteInt(long v)
    {
        v.TryFormat(scratch, out int n, default, CultureInfo.InvariantCulture);
        writer.Write(scratch, 0, n);
    }

    private void WriteUInt(ulong v)
    {
        v.TryFormat(scratch, out int n, default, CultureInfo.InvariantCulture);
        writer.Write(scratch, 0, n);
    }

    private void WriteDouble(double v)
    {
        PythonFloat.TryFormat(v, scratch, out int n);
        writer.Write(scratch, 0, n);
    }

    /// <summary>A text cell, quoted, with a formula-starting first character defused (see <see cref="FormulaInjection"/>).</summary>
    private void WriteText(string s)
    {
        if (escapeFormulas && FormulaInjection.IsRisky(s))
        {
            writer.Write('"');
            writer.Write(FormulaInjection.Prefix);
            WriteQuotedBody(s);
            writer.Write('"');
            return;
        }
        WriteQuoted(s);
    }

    private void WriteQuotedBody(string s)
    {
        if (s.Contains('"')) writer.Write(s.Replace("\"", "\"\""));
        else writer.Write(s);
    }

    private void WriteQuoted(string s)
    {
        writer.Write('"');
        if (s.Contains('"')) writer.Write(s.Replace("\"", "\"\""));
        else writer.Write(s);
        writer.Write('"');
    }

    /// <summary>A plugin value, formatted as NFStream's str() would.</summary>
    private void WriteValue(object value)
    {
        value = Unwrap(value);
        switch (value)
        {
            case double d: WriteDouble(d); break;
            case float f: WriteDouble(f); break;
            case bool b: writer.Write(b ? "True" : "False"); break;
            case sbyte or byte or short or ushort or int or uint or long or ulong or decimal:
                writer.Write(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
            default: WriteText(PythonText(value)); break;
        }
    }

    /// <summary>Strips wrappers (such as PowerShell's PSObject) that expose the real value as BaseObject.</summary>
    internal static object Unwrap(object value)
    {
        for (int i = 0; i < 4; i++)
        {
            var prop = value.GetType().GetProperty("BaseObject");
            if (prop is null || prop.GetValue(value) is not { } inner || ReferenceEquals(inner, value)) break;
            value = inner;
        }
        return value;
    }

    /// <summary>Python's str() of a value: what NFStream hashes when anonymizing and writes for text.</summary>
    internal static string PythonText(object? value)
    {
        if (value is null) return "None";
        value = Unwrap(value);
        return value switch
        {
            string s => s,
            double d => PythonFloat.Format(d),
            float f => PythonFloat.Format(f),
            bool b => b ? "True" : "False",
            int[] a => ListText(a),
            long[] a => ListText(a),
            IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(ListItemText)) + "]",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }

    private static string ListItemText(object? item) => item is string s ? "'" + s + "'" : PythonText(item);

    internal static string ListText(int[] values) => "[" + string.Join(", ", values) + "]";

    internal static string ListText(long[] values) => "[" + string.Join(", ", values) + "]";
}
