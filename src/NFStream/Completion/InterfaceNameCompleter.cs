using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using NFStream.Engine.Capture;

namespace NFStream.Completion;

/// <summary>Tab completion of the interfaces libpcap can capture on (for Start-NFCapture -Interface).</summary>
public sealed class InterfaceNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<CaptureInterface> interfaces;
        try
        {
            interfaces = CaptureInterface.List();
        }
        catch (LiveCaptureException)
        {
            return Array.Empty<CompletionResult>();
        }
        var pattern = new WildcardPattern(
            WildcardPattern.Escape((wordToComplete ?? "").Trim('\'', '"')) + "*", WildcardOptions.IgnoreCase);
        return interfaces.Where(i => pattern.IsMatch(i.Name)).Select(i => new CompletionResult(
            Quote(i.Name), i.Name, CompletionResultType.ParameterValue, Tooltip(i)));
    }

    private static string Quote(string name) =>
        name.Any(c => char.IsWhiteSpace(c) || "'\"`$&|;,(){}[]@#<>".Contains(c)) ? "'" + name.Replace("'", "''") + "'" : name;

    private static string Tooltip(CaptureInterface i)
    {
        string addresses = i.Addresses.Length > 0 ? " " + string.Join(", ", i.Addresses.Select(a => a.ToString())) : "";
        string description = i.Description.Length > 0 ? $" ({i.Description})" : "";
        return $"{i.Name}: {i.Status}{(i.IsLoopback ? ", loopback" : "")}{addresses}{description}";
    }
}
