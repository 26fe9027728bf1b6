namespace NFStream.Tests.Conformance;

/// <summary>
/// Per-column agreement of the layer-7 columns (nDPI's) between our CSVs and NFStream's reference CSVs, over all
/// flows of the captures whose flow lists line up. NFStream links a nDPI 4.7 snapshot, we link Debian's 4.2, so
/// these are figures with a floor rather than exact matches. Also counts the flows where NFStream fills a field
/// that we leave empty: those are bugs rather than drift unless nDPI 4.2 cannot provide the field.
/// </summary>
public sealed class ApplicationAgreement
{
    public static readonly string[] Columns =
    {
        "application_name", "application_category_name", "application_is_guessed", "application_confidence",
        "requested_server_name", "client_fingerprint", "server_fingerprint", "user_agent", "content_type",
    };

    private readonly int[] equal = new int[Columns.Length];
    private readonly int[] emptyInOurs = new int[Columns.Length];
    private readonly List<string>[] emptyExamples = Columns.Select(_ => new List<string>()).ToArray();

    public int Flows { get; private set; }

    public void Add(string capture, CsvTable reference, CsvTable ours)
    {
        if (reference.Rows.Count != ours.Rows.Count || reference.Header.Length == 0) return;
        for (int row = 0; row < reference.Rows.Count; row++)
        {
            Flows++;
            for (int c = 0; c < Columns.Length; c++)
            {
                string expected = reference.Rows[row][reference.IndexOf(Columns[c])];
                string actual = ours.Rows[row][ours.IndexOf(Columns[c])];
                if (expected == actual) equal[c]++;
                else if (actual.Length == 0 && expected.Length > 0)
                {
                    emptyInOurs[c]++;
                    if (emptyExamples[c].Count < 5) emptyExamples[c].Add($"{capture} flow {row}: '{expected}'");
                }
            }
        }
    }

    public double Ratio(string column) => Flows == 0 ? 0 : (double)equal[Array.IndexOf(Columns, column)] / Flows;

    public string Report()
    {
        var lines = new List<string>
        {
            $"layer-7 agreement with NFStream (nDPI 4.2 here, a 4.7 snapshot there) over {Flows} flows, -NDissections 20:",
        };
        for (int c = 0; c < Columns.Length; c++)
        {
            string line = $"  {Columns[c],-26} {equal[c],6}/{Flows} ({100.0 * equal[c] / Math.Max(1, Flows):F1}%)";
            if (emptyInOurs[c] > 0) line += $", empty in ours where NFStream has a value: {emptyInOurs[c]} (e.g. {string.Join("; ", emptyExamples[c])})";
            lines.Add(line);
        }
        return string.Join(Environment.NewLine, lines);
    }
}
