using System.Text;
using System.Text.RegularExpressions;

namespace NFStream.HelpBuilder;

/// <summary>
/// Reads a cmdlet's help from platyPS-style markdown: <c># Name</c>, then <c>## SYNOPSIS</c>, <c>## DESCRIPTION</c>,
/// <c>## EXAMPLES</c> (<c>### Example N: title</c>, a fenced code block, remarks), <c>## PARAMETERS</c>
/// (<c>### -Name</c>, its description, optionally a fenced yaml block with <c>Default value: ...</c>),
/// <c>## INPUTS</c> and <c>## OUTPUTS</c> (<c>### Type</c>, description), <c>## NOTES</c> and
/// <c>## RELATED LINKS</c> (<c>- [text](uri)</c>). A <c>## SYNTAX</c> section is ignored: syntax comes from the code.
/// </summary>
internal static partial class MarkdownHelpReader
{
    /// <summary>Reads a cmdlet's file; a shared file (_NAME.md) has only a title and PARAMETERS.</summary>
    public static CommandHelp Read(string path, List<string> warnings)
    {
        var lines = File.ReadAllLines(path);
        int start = SkipFrontMatter(lines);
        CommandHelp? help = null;
        string section = "";
        string? item = null;
        var block = new List<string>();   // the raw lines of the current section or ### item

        void Flush()
        {
            if (help is null) return;
            Apply(help, section, item, block, path, warnings);
            block.Clear();
        }

        for (int i = start; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                // Copy a fenced block verbatim: headings inside it are code, not structure.
                block.Add(line);
                for (i++; i < lines.Length; i++)
                {
                    block.Add(lines[i]);
                    if (lines[i].StartsWith("```", StringComparison.Ordinal)) break;
                }
                continue;
            }
            if (line.StartsWith("# ", StringComparison.Ordinal) && help is null)
            {
                help = new CommandHelp(line[2..].Trim(), path);
                continue;
            }
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                Flush();
                section = line[3..].Trim().ToUpperInvariant();
                item = null;
                continue;
            }
            if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                Flush();
                item = line[4..].Trim();
                continue;
            }
            block.Add(line);
        }
        Flush();
        return help ?? throw new InvalidDataException($"{path}: no '# Cmdlet-Name' title.");
    }

    private static int SkipFrontMatter(string[] lines)
    {
        if (lines.Length == 0 || lines[0].Trim() != "---") return 0;
        for (int i = 1; i < lines.Length; i++)
            if (lines[i].Trim() == "---") return i + 1;
        return 0;
    }

    private static void Apply(CommandHelp help, string section, string? item, List<string> block, string path, List<string> warnings)
    {
        switch (section)
        {
            case "SYNOPSIS" when item is null:
                help.Synopsis.AddRange(Paragraphs(block));
                break;
            case "DESCRIPTION" when item is null:
                help.Description.AddRange(Paragraphs(block));
                break;
            case "SYNTAX":
            case "":   // text between the title and the first section: a note to whoever edits the file
                break;
            case "EXAMPLES" when item is not null:
                help.Examples.Add(ReadExample(item, block, path, warnings));
                break;
            case "PARAMETERS" when item is not null:
                string name = item.TrimStart('-').Trim();
                if (!help.Parameters.TryAdd(name, ReadParameter(name, block)))
                    warnings.Add($"{path}: warning NFH003: parameter -{name} is documented twice.");
                break;
            case "INPUTS" when item is not null:
                help.Inputs.Add(new TypeHelp(item, Paragraphs(block)));
                break;
            case "OUTPUTS" when item is not null:
                help.Outputs.Add(new TypeHelp(item, Paragraphs(block)));
                break;
            case "NOTES" when item is null:
                help.Notes.AddRange(Paragraphs(block));
                break;
            case "RELATED LINKS" when item is null:
                foreach (var line in block)
                {
                    // "- [text](uri)", "- Command-Name" or "- https://..."
                    var link = LinkPattern().Match(line);
                    string plain = line.Trim().TrimStart('-', '*').Trim();
                    if (link.Success) help.Links.Add(new RelatedLink(link.Groups["text"].Value, link.Groups["uri"].Value));
                    else if (plain.Length > 0) help.Links.Add(new RelatedLink(plain, plain.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? plain : ""));
                }
                break;
            default:
                if (block.Any(l => l.Trim().Length > 0))
                    warnings.Add($"{path}: warning NFH011: text under '{section}{(item is null ? "" : " / " + item)}' is not part of the help.");
                break;
        }
    }

    private static HelpExample ReadExample(string title, List<string> block, string path, List<string> warnings)
    {
        int open = block.FindIndex(l => l.StartsWith("```", StringComparison.Ordinal));
        int close = open < 0 ? -1 : block.FindIndex(open + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        if (open < 0 || close < 0)
        {
            warnings.Add($"{path}: warning NFH005: example '{title}' has no fenced code block.");
            return new HelpExample(title, "", Paragraphs(block));
        }
        string code = string.Join("\n", block.Skip(open + 1).Take(close - open - 1));
        var remarks = Paragraphs(block.Take(open).Concat(block.Skip(close + 1)).ToList());
        return new HelpExample(title, code, remarks);
    }

    private static ParameterHelp ReadParameter(string name, List<string> block)
    {
        string? defaultValue = null;
        var text = new List<string>();
        for (int i = 0; i < block.Count; i++)
        {
            if (block[i].StartsWith("```yaml", StringComparison.OrdinalIgnoreCase))
            {
                for (i++; i < block.Count && !block[i].StartsWith("```", StringComparison.Ordinal); i++)
                {
                    var pair = block[i].Split(':', 2);
                    if (pair.Length == 2 && pair[0].Trim().Equals("Default value", StringComparison.OrdinalIgnoreCase))
                        defaultValue = pair[1].Trim();
                }
                continue;
            }
            text.Add(block[i]);
        }
        return new ParameterHelp(name, Paragraphs(text), defaultValue);
    }

    /// <summary>
    /// Markdown text to help paragraphs: blank lines separate paragraphs, each list item is a paragraph, fenced
    /// blocks and tables keep their lines (indented), inline code marks and link targets are dropped.
    /// </summary>
    internal static List<string> Paragraphs(List<string> block)
    {
        var paragraphs = new List<string>();
        var current = new StringBuilder();

        void End()
        {
            if (current.Length > 0) paragraphs.Add(current.ToString());
            current.Clear();
        }

        for (int i = 0; i < block.Count; i++)
        {
            string line = block[i];
            string trimmed = line.Trim();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                End();
                var verbatim = new List<string>();
                for (i++; i < block.Count && !block[i].TrimStart().StartsWith("```", StringComparison.Ordinal); i++)
                    verbatim.Add("    " + block[i]);
                paragraphs.Add(string.Join("\n", verbatim));
                continue;
            }
            if (trimmed.Length == 0)
            {
                End();
                continue;
            }
            if (trimmed.StartsWith('|'))
            {
                End();
                var table = new List<string>();
                for (; i < block.Count && block[i].Trim().StartsWith('|'); i++)
                {
                    if (TableRule().IsMatch(block[i])) continue;
                    table.Add("    " + Inline(block[i].Trim()));
                }
                i--;
                paragraphs.Add(string.Join("\n", table));
                continue;
            }
            if (ListItem().IsMatch(line))
            {
                End();
                current.Append(Inline(trimmed));
                continue;
            }
            if (current.Length > 0) current.Append(' ');
            current.Append(Inline(trimmed));
        }
        End();
        return paragraphs;
    }

    private static string Inline(string text)
    {
        text = LinkPattern().Replace(text, m => m.Groups["uri"].Value.StartsWith("http", StringComparison.OrdinalIgnoreCase)
            ? $"{m.Groups["text"].Value} ({m.Groups["uri"].Value})"
            : m.Groups["text"].Value);
        return text.Replace("`", "", StringComparison.Ordinal).Replace("**", "", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"^\s*([-*]|\d+\.)\s")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"^\s*\|[\s:|-]+\|\s*$")]
    private static partial Regex TableRule();
}
