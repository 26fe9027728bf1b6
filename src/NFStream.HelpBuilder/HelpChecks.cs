namespace NFStream.HelpBuilder;

/// <summary>What a cmdlet's help must have (issue: synopsis, description, every parameter, inputs, outputs, two examples, links).</summary>
internal static class HelpChecks
{
    public static void Check(CmdletFacts code, CommandHelp text, List<string> warnings)
    {
        string at = text.SourcePath;
        if (!string.Equals(text.Name, code.Name, StringComparison.Ordinal))
            warnings.Add($"{at}: warning NFH010: the title '# {text.Name}' should be '# {code.Name}'.");
        if (text.Synopsis.Count == 0) warnings.Add($"{at}: warning NFH004: no SYNOPSIS.");
        if (text.Description.Count == 0) warnings.Add($"{at}: warning NFH004: no DESCRIPTION.");
        foreach (var parameter in code.Parameters)
        {
            if (StockText.Covers(parameter.Name)) continue;
            if (!text.Parameters.TryGetValue(parameter.Name, out var help) || help.Description.Count == 0)
                warnings.Add($"{at}: warning NFH002: parameter -{parameter.Name} is not described.");
        }
        foreach (var documented in text.Parameters.Keys)
        {
            if (!code.Parameters.Any(p => p.Name.Equals(documented, StringComparison.OrdinalIgnoreCase)))
                warnings.Add($"{at}: warning NFH003: -{documented} is documented but {code.Name} has no such parameter.");
        }
        foreach (var example in text.Examples.Where(e => e.Remarks.Count == 0))
        {
            warnings.Add($"{at}: warning NFH005: example '{example.Title}' has no remarks: say what it shows.");
        }
        if (text.Examples.Count < 2) warnings.Add($"{at}: warning NFH005: {text.Examples.Count} examples; give at least two.");
        if (text.Examples.Any(e => e.Code.Trim().Length == 0)) warnings.Add($"{at}: warning NFH005: an example has no code.");
        if (text.Inputs.Count == 0) warnings.Add($"{at}: warning NFH006: no INPUTS (write '### None' when nothing is piped).");
        if (text.Outputs.Count == 0) warnings.Add($"{at}: warning NFH006: no OUTPUTS.");
        foreach (var type in code.OutputTypes)
        {
            if (!text.Outputs.Any(o => o.TypeName == type.FullName))
                warnings.Add($"{at}: warning NFH008: OUTPUTS does not list [OutputType] {type.FullName}.");
        }
        if (text.Links.Count == 0) warnings.Add($"{at}: warning NFH007: no RELATED LINKS.");
        var all = text.Synopsis.Concat(text.Description).Concat(text.Notes)
            .Concat(text.Parameters.Values.SelectMany(p => p.Description))
            .Concat(text.Examples.SelectMany(e => e.Remarks.Append(e.Code).Append(e.Title)))
            .Concat(text.Inputs.Concat(text.Outputs).SelectMany(t => t.Description.Append(t.TypeName)));
        if (all.Any(t => t.Contains("{{", StringComparison.Ordinal)))
            warnings.Add($"{at}: warning NFH012: scaffold placeholders ({{{{ ... }}}}) are left to fill in.");
    }
}
