using System.Text;

namespace NFStream.HelpBuilder;

/// <summary>A markdown skeleton for a cmdlet that has no help yet: every section and parameter, to fill in.</summary>
internal static class HelpScaffold
{
    public static string For(CmdletFacts code)
    {
        var md = new StringBuilder();
        md.Append("# ").AppendLine(code.Name).AppendLine();
        md.AppendLine("## SYNOPSIS").AppendLine("{{ One sentence: what the cmdlet does. }}").AppendLine();
        md.AppendLine("## DESCRIPTION").AppendLine("{{ What it does, how, and what to know before using it. }}").AppendLine();
        md.AppendLine("## EXAMPLES").AppendLine();
        for (int i = 1; i <= 2; i++)
        {
            md.AppendLine($"### Example {i}: {{{{ title }}}}").AppendLine("```powershell").AppendLine($"{code.Name} {{{{ arguments }}}}")
                .AppendLine("```").AppendLine().AppendLine("{{ What it shows. Examples run in the help test, in a folder holding sample.pcap, with core cmdlets only. }}").AppendLine();
        }
        md.AppendLine("## PARAMETERS").AppendLine();
        foreach (var p in code.Parameters.Where(p => !StockText.Covers(p.Name)))
            md.AppendLine($"### -{p.Name}").AppendLine("{{ What it does, its unit and range. }}").AppendLine();
        md.AppendLine("## INPUTS").AppendLine().AppendLine("### None").AppendLine("{{ What can be piped, or that nothing can. }}").AppendLine();
        md.AppendLine("## OUTPUTS").AppendLine();
        foreach (var type in code.OutputTypes) md.AppendLine($"### {type.FullName}").AppendLine("{{ What is written. }}").AppendLine();
        md.AppendLine("## NOTES").AppendLine().AppendLine("## RELATED LINKS").AppendLine().AppendLine("- [about_NFStream]()");
        return md.ToString();
    }
}
