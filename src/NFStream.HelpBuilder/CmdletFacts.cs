using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Reflection;

namespace NFStream.HelpBuilder;

/// <summary>What the code says about one cmdlet: its parameter sets and, for each parameter, what help shows.</summary>
internal sealed class CmdletFacts
{
    private CmdletFacts(CmdletInfo cmdlet, List<ParameterFacts> parameters, List<SyntaxFacts> syntax)
    {
        Cmdlet = cmdlet;
        Parameters = parameters;
        Syntax = syntax;
    }

    public CmdletInfo Cmdlet { get; }
    public string Name => Cmdlet.Name;

    /// <summary>Every parameter except the common ones, in declaration order (a cmdlet's own before its base's).</summary>
    public List<ParameterFacts> Parameters { get; }

    /// <summary>One entry per parameter set, the default set first.</summary>
    public List<SyntaxFacts> Syntax { get; }

    public IEnumerable<Type> OutputTypes => Cmdlet.OutputType.Select(t => t.Type).Where(t => t is not null);

    public static CmdletFacts From(CmdletInfo cmdlet)
    {
        object? instance = null;
        try
        {
            instance = Activator.CreateInstance(cmdlet.ImplementingType);
        }
        catch (Exception)
        {
            // No public parameterless constructor: defaults then come from the markdown only.
        }

        var order = DeclarationOrder(cmdlet.ImplementingType);
        var parameters = new List<ParameterFacts>();
        foreach (var (name, metadata) in cmdlet.Parameters.OrderBy(p => order.IndexOf(p.Key) is int i && i >= 0 ? i : int.MaxValue))
        {
            if (IsCommon(name)) continue;
            var sets = metadata.ParameterSets;
            var inAll = sets.TryGetValue(ParameterAttribute.AllParameterSets, out var all) ? all : null;
            bool mandatory = sets.Values.Any(s => s.IsMandatory);
            int position = sets.Values.Select(s => s.Position).Where(p => p >= 0).DefaultIfEmpty(int.MinValue).Min();
            bool byValue = sets.Values.Any(s => s.ValueFromPipeline);
            bool byName = sets.Values.Any(s => s.ValueFromPipelineByPropertyName);
            bool wildcards = metadata.Attributes.OfType<SupportsWildcardsAttribute>().Any();
            var values = metadata.Attributes.OfType<ValidateSetAttribute>().SelectMany(v => v.ValidValues).ToList();
            var type = metadata.ParameterType;
            var elementType = type.IsArray ? type.GetElementType()! : type;
            if (values.Count == 0 && elementType.IsEnum) values.AddRange(Enum.GetNames(elementType));
            parameters.Add(new ParameterFacts(
                name, type, metadata.SwitchParameter, mandatory,
                position == int.MinValue ? null : position,
                byValue, byName, wildcards, metadata.Aliases.ToList(), values,
                DefaultOf(instance, cmdlet.ImplementingType, name, metadata)));
        }

        var syntax = new List<SyntaxFacts>();
        foreach (var set in cmdlet.ParameterSets.OrderBy(s => s.IsDefault ? 0 : 1))
        {
            var members = set.Parameters.Where(p => !IsCommon(p.Name))
                .Select(p => (Facts: parameters.First(f => f.Name == p.Name), Mandatory: p.IsMandatory, Position: p.Position))
                .OrderBy(p => p.Position >= 0 ? p.Position : int.MaxValue)
                .ThenBy(p => p.Mandatory ? 0 : 1)
                .ThenBy(p => parameters.IndexOf(p.Facts))
                .Select(p => new SyntaxParameter(p.Facts, p.Mandatory, p.Position >= 0 ? p.Position : null))
                .ToList();
            syntax.Add(new SyntaxFacts(set.Name, members));
        }
        return new CmdletFacts(cmdlet, parameters, syntax);
    }

    /// <summary>-Verbose, -ErrorAction...: about_CommonParameters documents them. -WhatIf and -Confirm are documented.</summary>
    private static bool IsCommon(string name) => System.Management.Automation.Cmdlet.CommonParameters.Contains(name);

    /// <summary>Properties of the type first, then those of its bases (so a cmdlet's own parameters lead).</summary>
    private static List<string> DeclarationOrder(Type type)
    {
        var chain = new List<Type>();
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType) chain.Add(t);
        return chain.SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .OrderBy(p => p.MetadataToken))
            .Select(p => p.Name).ToList();
    }

    /// <summary>The parameter's value before binding, as help text ("None" when there is nothing to say).</summary>
    private static string DefaultOf(object? instance, Type type, string name, ParameterMetadata metadata)
    {
        if (metadata.SwitchParameter) return "False";
        var property = type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
        if (instance is null || property is null) return "None";
        object? value;
        try
        {
            value = property.GetValue(instance);
        }
        catch (Exception)
        {
            return "None";
        }
        return value switch
        {
            null => "None",
            string s when s.Length == 0 => "None",
            string s => s,
            bool b => b ? "True" : "False",
            Enum e => e.ToString(),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            ICollection { Count: 0 } => "None",
            ICollection c => string.Join(", ", c.Cast<object>()),
            _ => "None",
        };
    }
}

internal sealed record ParameterFacts(
    string Name, Type Type, bool IsSwitch, bool Mandatory, int? Position, bool ByValue, bool ByPropertyName,
    bool Wildcards, List<string> Aliases, List<string> ValidValues, string CodeDefault)
{
    public string PipelineInput => (ByValue, ByPropertyName) switch
    {
        (true, true) => "True (ByValue, ByPropertyName)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };

    /// <summary>The short type name help shows in syntax: String[], Int64, SwitchParameter, AccountingMode.</summary>
    public string ShortTypeName => IsSwitch ? "SwitchParameter" : TypeNames.Short(Type);
}

internal sealed record SyntaxParameter(ParameterFacts Facts, bool Mandatory, int? Position);

internal sealed record SyntaxFacts(string SetName, List<SyntaxParameter> Parameters);

internal static class TypeNames
{
    public static string Short(Type type) => type.IsArray ? Short(type.GetElementType()!) + "[]" : type.Name;

    public static string Full(Type type) => type.FullName ?? type.Name;
}
