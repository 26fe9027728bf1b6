using System.Text;

namespace NFStream.Tests.Conformance;

/// <summary>A CSV file as header and rows. Reads both NFStream's backslash-escaped quotes and RFC 4180 doubling.</summary>
public sealed class CsvTable
{
    public CsvTable(string[] header, List<string[]> rows)
    {
        Header = header;
        Rows = rows;
    }

    public string[] Header { get; }
    public List<string[]> Rows { get; }

    public int IndexOf(string column) => Array.IndexOf(Header, column);

    public static CsvTable Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) return new CsvTable(Array.Empty<string>(), new List<string[]>());
        return new CsvTable(SplitLine(lines[0]), lines.Skip(1).Where(l => l.Length > 0).Select(SplitLine).ToList());
    }

    public static string[] SplitLine(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if ((c == '\\' || c == '"') && i + 1 < line.Length && line[i + 1] == '"' && !(c == '"' && IsFieldEnd(line, i + 1)))
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return fields.ToArray();
    }

    private static bool IsFieldEnd(string line, int i) => i + 1 >= line.Length || line[i + 1] == ',';
}
