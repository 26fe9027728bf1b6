using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using NFStream.Engine;

namespace NFStream.Completion;

/// <summary>Tab completion of NFStream column names (for -AnonymizeColumn).</summary>
public sealed class FlowColumnNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = new WildcardPattern((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return FlowColumns.All.Where(c => pattern.IsMatch(c.Name))
            .Select(c => new CompletionResult(c.Name, c.Name, CompletionResultType.ParameterValue, $"{c.Name} ({c.Kind})"));
    }
}
