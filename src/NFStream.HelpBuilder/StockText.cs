namespace NFStream.HelpBuilder;

/// <summary>The descriptions every cmdlet shares (-WhatIf, -Confirm), unless its markdown says more.</summary>
internal static class StockText
{
    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["WhatIf"] = "Shows what would happen if the cmdlet runs. The cmdlet is not run.",
        ["Confirm"] = "Prompts you for confirmation before running the cmdlet.",
    };

    public static bool Covers(string parameter) => Descriptions.ContainsKey(parameter);

    public static void AddCommonOnes(CmdletFacts code, CommandHelp text)
    {
        foreach (var parameter in code.Parameters)
        {
            if (Descriptions.TryGetValue(parameter.Name, out var description) && !text.Parameters.ContainsKey(parameter.Name))
                text.Parameters[parameter.Name] = new ParameterHelp(parameter.Name, new List<string> { description }, "False");
        }
    }
}
