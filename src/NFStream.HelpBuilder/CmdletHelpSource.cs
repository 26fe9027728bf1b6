using System.Text.RegularExpressions;

namespace NFStream.HelpBuilder;

/// <summary>
/// One cmdlet's help as written in markdown (a platyPS-like layout):
/// <c># Name</c>, <c>## SYNOPSIS</c>, <c>## DESCRIPTION</c>, <c>## PARAMETERS</c> with <c>### -Name</c> entries,
/// <c>## INPUTS</c> and <c>## OUTPUTS</c> with <c>### Type</c> entries, <c>## EXAMPLES</c> with
/// <c>### Example N: title</c>, a fenced powershell block and remarks, and <c>## RELATED LINKS</c> as a list.
/// </summary>
internal sealed class CmdletHelpSource
{
    public string Name { get; private set; } = "";
    public string Synopsis { get; private set; } = "";
    public string Description { get; private set; } = "";
    public Dictionary<string, string> Parameters { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<(string Type, string Text)> Inputs { get; } = new();
    public List<(string Type, string Text)> Outputs { get; } = new();
    public List<(string Title, string Code, string Remarks)> Examples { get; } = new();
    public List<string> Links { get; } = new();
    public List<string> Notes { get; } = new();

    public static CmdletHelpSource Parse(string path)
    {
        var help = new CmdletHelpSource();
        string section = "", entry = "";
        var text = new List<string>();
        void Flush()
        {
            string body = string.Join("\n", text).Trim();
            text.Clear();
            switch (section)
            {
                case "SYNOPSIS": help.Synopsis = body; break;
                case "DESCRIPTION": help.Description = body; break;
                case "NOTES": if (body.Length > 0) help.Notes.Add(body); break;
                case "PARAMETERS" when entry.Length > 0: help.Parameters[entry.TrimStart('-')] = body; break;
                case "INPUTS" when entry.Length > 0: help.Inputs.Add((entry, body)); break;
                case "OUTPUTS" when entry.Length > 0: help.Outputs.Add((entry, body)); break;
                case "EXAMPLES" when entry.Length > 0: help.Examples.Add(SplitExample(entry, body, path)); break;
                case "RELATED LINKS":
                    foreach (string line in body.Split('\n'))
                        if (line.TrimStart().StartsWith('-')) help.Links.Add(line.Trim().TrimStart('-').Trim());
                    break;
            }
        }
        bool inFence = false;
        foreach (string raw in File.ReadAllLines(path))
        {
            string line = raw.TrimEnd();
            if (line.StartsWith("```", StringComparison.Ordinal)) inFence = !inFence;
            if (!inFence && line.StartsWith("# ", StringComparison.Ordinal) && help.Name.Length == 0)
            {
                help.Name = line[2..].Trim();
                continue;
            }
            if (!inFence && line.StartsWith("## ", StringComparison.Ordinal))
            {
                Flush();
                section = line[3..].Trim().ToUpperInvariant();
                entry = "";
                continue;
            }
            if (!inFence && line.StartsWith("### ", StringComparison.Ordinal))
            {
                Flush();
                entry = line[4..].Trim();
                continue;
            }
            text.Add(line);
        }
        Flush();
        if (help.Name.Length == 0) throw new FormatException($"{path}: no '# Cmdlet-Name' heading.");
        return help;
    }

    private static (string, string, string) SplitExample(string title, string body, string path)
    {
        var match = Regex.Match(body, "```(?:powershell|ps1|pwsh)?\\s*\\n(?<code>.*?)\\n```", RegexOptions.Singleline);
        if (!match.Success) throw new FormatException($"{path}: example '{title}' has no fenced code block.");
        string remarks = (body[..match.Index] + "\n" + body[(match.Index + match.Length)..]).Trim();
        return (title, match.Groups["code"].Value.TrimEnd(), remarks);
    }

    /// <summary>Text split into paragraphs (blank-line separated), lines of a paragraph joined.</summary>
    public static IEnumerable<string> Paragraphs(string text) =>
        Regex.Split(text.Trim(), "\\n\\s*\\n").Select(p => Regex.Replace(p.Trim(), "\\s*\\n\\s*", " ")).Where(p => p.Length > 0);
}
