using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using NFStream.Engine.Capture;

namespace NFStream.Hosting;

/// <summary>Tab completion of -Interface with the interfaces libpcap reports.</summary>
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
            yield break;
        }
        var pattern = new WildcardPattern((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        foreach (var i in interfaces.Where(i => pattern.IsMatch(i.Name)))
            yield return new CompletionResult(i.Name, i.Name, CompletionResultType.ParameterValue,
                $"{i.Name} ({(i.IsUp ? "up" : "down")}{(i.IsLoopback ? ", loopback" : "")}) {string.Join(" ", i.Addresses)}");
    }
}
