using System.Management.Automation;
using System.Reflection;

namespace NFStream.HelpBuilder;

/// <summary>What the compiled cmdlet says about itself: name, parameters, sets, pipeline input, defaults.</summary>
internal sealed class CmdletMetadata
{
    public required string Name { get; init; }
    public required string Verb { get; init; }
    public required string Noun { get; init; }
    public required IReadOnlyList<ParameterMetadata> Parameters { get; init; }
    public required IReadOnlyList<string> ParameterSets { get; init; }
    public required IReadOnlyList<string> OutputTypes { get; init; }

    public sealed record ParameterMetadata(string Name, string TypeName, string DefaultValue, bool Wildcards,
        IReadOnlyList<string> Aliases, IReadOnlyList<ParameterAttribute> Attributes)
    {
        public bool InSet(string set) => Attributes.Any(a => a.ParameterSetName == set || a.ParameterSetName == ParameterAttribute.AllParameterSets);

        public ParameterAttribute For(string set) =>
            Attributes.FirstOrDefault(a => a.ParameterSetName == set) ?? Attributes.First(a => a.ParameterSetName == ParameterAttribute.AllParameterSets);

        public string Pipeline(ParameterAttribute a)
        {
            var kinds = new List<string>();
            if (a.ValueFromPipeline) kinds.Add("ByValue");
            if (a.ValueFromPipelineByPropertyName) kinds.Add("ByPropertyName");
            return kinds.Count == 0 ? "False" : $"True ({string.Join(", ", kinds)})";
        }
    }

    public static IEnumerable<CmdletMetadata> Read(Assembly module)
    {
        foreach (var type in module.GetExportedTypes().Where(t => !t.IsAbstract).OrderBy(t => t.Name))
        {
            var cmdlet = type.GetCustomAttribute<CmdletAttribute>();
            if (cmdlet is null) continue;
            object? instance = Activator.CreateInstance(type);
            var parameters = new List<ParameterMetadata>();
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var attributes = property.GetCustomAttributes<ParameterAttribute>().ToList();
                if (attributes.Count == 0) continue;
                parameters.Add(new ParameterMetadata(property.Name, FriendlyName(property.PropertyType),
                    DefaultOf(property, instance), property.GetCustomAttribute<SupportsWildcardsAttribute>() is not null,
                    property.GetCustomAttribute<AliasAttribute>()?.AliasNames.ToList() ?? new List<string>(), attributes));
            }
            var sets = parameters.SelectMany(p => p.Attributes).Select(a => a.ParameterSetName)
                .Where(s => s != ParameterAttribute.AllParameterSets).Distinct().OrderBy(s => s == cmdlet.DefaultParameterSetName ? 0 : 1)
                .ToList();
            if (sets.Count == 0) sets.Add(ParameterAttribute.AllParameterSets);
            yield return new CmdletMetadata
            {
                Name = $"{cmdlet.VerbName}-{cmdlet.NounName}",
                Verb = cmdlet.VerbName,
                Noun = cmdlet.NounName,
                Parameters = parameters.OrderBy(p => p.Attributes.Min(a => a.Position < 0 ? int.MaxValue : a.Position)).ThenBy(p => p.Name).ToList(),
                ParameterSets = sets,
                OutputTypes = type.GetCustomAttributes<OutputTypeAttribute>().SelectMany(o => o.Type).Select(t => t.Name).ToList(),
            };
        }
    }

    private static string DefaultOf(PropertyInfo property, object? instance)
    {
        object? value = instance is null ? null : property.GetValue(instance);
        return value switch
        {
            null => "None",
            SwitchParameter s => s.IsPresent ? "True" : "False",
            string { Length: 0 } => "None",
            Array { Length: 0 } => "None",
            TimeSpan t when t == TimeSpan.Zero => "None",
            bool b => b ? "True" : "False",
            int or long when Convert.ToInt64(value) == 0 && property.Name is "MaxFlows" or "SpltAnalysis" or "FlowsPerFile" or "RotateFiles" or "PacketCount" or "BufferSize" or "PerformanceReport" => "0 (none)",
            _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "None",
        };
    }

    public static string FriendlyName(Type type)
    {
        if (type.IsArray) return FriendlyName(type.GetElementType()!) + "[]";
        if (Nullable.GetUnderlyingType(type) is { } inner) return FriendlyName(inner);
        return type.Name;
    }
}
