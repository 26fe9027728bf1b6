using System.Management.Automation;
using System.Management.Automation.Language;
using NFStream.Engine;

namespace NFStream.Completion;

/// <summary>
/// Completes flow column names for PowerShell's own cmdlets after a pipe (<c>Get-NFFlow x.pcap | Select-Object
/// bidir&lt;Tab&gt;</c>; likewise Where-Object, Sort-Object, Group-Object, Measure-Object, Format-*, ForEach-Object).
/// PowerShell's own completion sees only NFlow's .NET members, and the columns are adapted ones whose set depends on
/// the options the flows were metered with: this walks the pipeline back to the Get-NFFlow or Start-NFCapture that
/// produced the flows, binds its arguments statically, and offers exactly the columns of that option set (or, for a
/// variable at the head of the pipeline, the columns of the flows it holds). Where the input is not flows, it offers
/// nothing, so PowerShell's own completion applies. Registered by NFStream.Completion.psm1.
/// </summary>
public static class PipelineColumnCompleter
{
    /// <summary>The commands and parameters whose values are property names of their pipeline input.</summary>
    public static IReadOnlyDictionary<string, string[]> PropertyParameters { get; } = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
    {
        ["Select-Object"] = ["Property", "ExcludeProperty", "ExpandProperty"],
        ["Where-Object"] = ["Property"],
        ["Sort-Object"] = ["Property"],
        ["Group-Object"] = ["Property"],
        ["Measure-Object"] = ["Property"],
        ["Format-Table"] = ["Property", "GroupBy"],
        ["Format-List"] = ["Property", "GroupBy"],
        ["Format-Wide"] = ["Property"],
        ["ForEach-Object"] = ["MemberName"],
    };

    /// <summary>Commands that pass flows through unchanged, so the producer is further up the pipeline.</summary>
    private static readonly HashSet<string> PassThrough = new(StringComparer.OrdinalIgnoreCase)
    {
        "Where-Object", "Sort-Object", "Tee-Object", "Export-NFFlowCsv", "Get-Unique", "?", "where", "sort",
    };

    private static readonly HashSet<string> Producers = new(StringComparer.OrdinalIgnoreCase) { "Get-NFFlow", "Start-NFCapture" };

    /// <summary>Friendly views that NFStream.types.ps1xml adds to every flow (hidden members).</summary>
    private static readonly string[] FriendlyProperties = ["duration", "start_time", "end_time"];

    /// <param name="commandAst">The command being completed (e.g. Select-Object).</param>
    /// <param name="wordToComplete">What has been typed of the property name.</param>
    /// <param name="variableValue">Reads a variable of the session, for a pipeline that starts with one.</param>
    public static IEnumerable<CompletionResult> Complete(CommandAst commandAst, string? wordToComplete, Func<string, object?> variableValue)
    {
        var columns = ColumnsOfInput(commandAst, variableValue);
        if (columns is null) return [];
        string typed = (wordToComplete ?? "").Trim('\'', '"');
        var pattern = new WildcardPattern(typed + "*", WildcardOptions.IgnoreCase);
        var names = columns.Value.Names.Concat(FriendlyProperties).Where(pattern.IsMatch);
        return names.Select(name => new CompletionResult(name, name, CompletionResultType.Property, Tooltip(name)));
    }

    private static string Tooltip(string name) => FlowColumns.TryGet(name, out var column)
        ? $"{column.Name} ({column.Kind})"
        : name switch { "udps" => "udps (plugin values)", "duration" => "duration (TimeSpan)", _ => $"{name} (DateTimeOffset, UTC)" };

    private readonly record struct ColumnNames(IEnumerable<string> Names);

    /// <summary>The columns of the flows that reach <paramref name="commandAst"/>, or null when they are not flows.</summary>
    private static ColumnNames? ColumnsOfInput(CommandAst commandAst, Func<string, object?> variableValue)
    {
        if (commandAst.Parent is not PipelineAst pipeline) return null;
        int index = pipeline.PipelineElements.IndexOf(commandAst);
        for (int i = index - 1; i >= 0; i--)
        {
            switch (pipeline.PipelineElements[i])
            {
                case CommandAst command when Producers.Contains(CommandName(command)):
                    return ColumnsOfProducer(command);
                case CommandAst command when PassThrough.Contains(CommandName(command)) || IsRowSelection(command):
                    continue;
                case CommandExpressionAst { Expression: VariableExpressionAst variable } when i == 0:
                    return ColumnsOfValue(variableValue(variable.VariablePath.UserPath));
                default:
                    return null;
            }
        }
        return null;
    }

    private static string CommandName(CommandAst command)
    {
        string name = command.GetCommandName() ?? "";
        int qualifier = name.IndexOf('\\');
        return qualifier >= 0 ? name[(qualifier + 1)..] : name;
    }

    /// <summary>Select-Object that only picks rows (-First, -Last, -Skip, -Unique) passes flows through.</summary>
    private static bool IsRowSelection(CommandAst command)
    {
        if (!string.Equals(CommandName(command), "Select-Object", StringComparison.OrdinalIgnoreCase)) return false;
        var bound = StaticParameterBinder.BindCommand(command, resolve: false).BoundParameters;
        return bound.Count > 0 && bound.Keys.All(k => k is "First" or "Last" or "Skip" or "SkipLast" or "Unique" or "Index" or "Wait");
    }

    private static ColumnNames ColumnsOfProducer(CommandAst producer)
    {
        var bound = StaticParameterBinder.BindCommand(producer, resolve: false).BoundParameters;
        var set = FlowColumnSet.Core;
        if (Switch(bound, "DecodeTunnels", whenAbsent: true)) set |= FlowColumnSet.Tunnel;
        if (Switch(bound, "StatisticalAnalysis", whenAbsent: false)) set |= FlowColumnSet.Statistics;
        if (Number(bound, "SpltAnalysis", whenAbsent: 0) != 0) set |= FlowColumnSet.Splt;
        if (Number(bound, "NDissections", whenAbsent: 20) != 0) set |= FlowColumnSet.Application;
        var names = FlowColumns.For(set).Select(c => c.Name);
        return new ColumnNames(bound.ContainsKey("Plugin") ? names.Append("udps") : names);
    }

    private static ColumnNames? ColumnsOfValue(object? value)
    {
        object? first = value switch
        {
            PSObject wrapped => wrapped.BaseObject,
            _ => value,
        };
        if (first is System.Collections.IEnumerable items and not string)
            first = items.Cast<object?>().FirstOrDefault() is { } item ? (item is PSObject p ? p.BaseObject : item) : null;
        if (first is not NFlow flow) return null;
        var names = FlowColumns.For(flow.Columns).Select(c => c.Name);
        return new ColumnNames(flow.HasUserValues ? names.Append("udps") : names);
    }

    /// <summary>A switch or bool parameter: present means true unless given a constant false.</summary>
    private static bool Switch(Dictionary<string, ParameterBindingResult> bound, string name, bool whenAbsent)
    {
        if (!bound.TryGetValue(name, out var binding)) return whenAbsent;
        if (binding.ConstantValue is bool constant) return constant;
        if (binding.Value is VariableExpressionAst { VariablePath.UserPath: var variable })
        {
            if (variable.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
            if (variable.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return true;   // -Switch alone, or an expression we cannot evaluate: counts as on
    }

    /// <summary>A numeric parameter: its constant value, or 1 (on) for an expression we cannot evaluate.</summary>
    private static long Number(Dictionary<string, ParameterBindingResult> bound, string name, long whenAbsent)
    {
        if (!bound.TryGetValue(name, out var binding)) return whenAbsent;
        return binding.ConstantValue is { } constant && long.TryParse(Convert.ToString(constant, System.Globalization.CultureInfo.InvariantCulture), out long n) ? n : 1;
    }
}
