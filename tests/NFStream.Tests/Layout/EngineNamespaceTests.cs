using System.Reflection;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Decoding;
using NFStream.Engine.Dpi;

namespace NFStream.Tests.Layout;

/// <summary>
/// The engine's namespaces form layers (docs/ARCHITECTURE.md#layers): Capture and Decoding at the bottom, then
/// Features, Dpi and the flow record, then Flows and Export on top. A namespace that both uses and is used by
/// another one is a cycle; the signatures and fields of every engine type are checked for one.
/// </summary>
public sealed class EngineNamespaceTests
{
    private static readonly Assembly EngineAssembly = typeof(FlowOptions).Assembly;

    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                     BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Engine types named in a type's base, interfaces, fields, properties and member signatures.</summary>
    private static IEnumerable<Type> Referenced(Type type)
    {
        var found = new List<Type?> { type.BaseType };
        found.AddRange(type.GetInterfaces());
        foreach (var f in type.GetFields(All)) found.Add(f.FieldType);
        foreach (var p in type.GetProperties(All)) found.Add(p.PropertyType);
        foreach (var m in type.GetMethods(All))
        {
            found.Add(m.ReturnType);
            found.AddRange(m.GetParameters().Select(p => p.ParameterType));
        }
        foreach (var c in type.GetConstructors(All)) found.AddRange(c.GetParameters().Select(p => p.ParameterType));
        return found.Where(t => t is not null).SelectMany(t => Unwrap(t!)).Where(t => t.Assembly == EngineAssembly);
    }

    private static IEnumerable<Type> Unwrap(Type t)
    {
        if (t.HasElementType) return Unwrap(t.GetElementType()!);
        if (t.IsGenericType) return t.GetGenericArguments().SelectMany(Unwrap).Append(t.GetGenericTypeDefinition());
        return new[] { t };
    }

    /// <summary>The namespace a type belongs to for layering: nested and compiler-made types count as their outer type's.</summary>
    private static string? Layer(Type t)
    {
        while (t.DeclaringType is not null) t = t.DeclaringType;
        return t.Namespace;
    }

    private static Dictionary<(string From, string To), List<string>> Edges()
    {
        var edges = new Dictionary<(string, string), List<string>>();
        foreach (var type in EngineAssembly.GetTypes())
        {
            string? from = Layer(type);
            if (from is null) continue;
            foreach (var used in Referenced(type))
            {
                string? to = Layer(used);
                if (to is null || to == from) continue;
                if (!edges.TryGetValue((from, to), out var why)) edges[(from, to)] = why = new List<string>();
                why.Add($"{type.Name} uses {used.Name}");
            }
        }
        return edges;
    }

    [Fact]
    public void NoTwoEngineNamespacesUseEachOther()
    {
        var edges = Edges();
        var cycles = edges.Keys.Where(e => string.CompareOrdinal(e.From, e.To) < 0 && edges.ContainsKey((e.To, e.From)))
            .Select(e => $"{e.From} <-> {e.To}: {string.Join("; ", edges[e].Concat(edges[(e.To, e.From)]).Distinct().Take(6))}")
            .ToList();
        Assert.True(cycles.Count == 0, string.Join(Environment.NewLine, cycles));
    }

    [Fact]
    public void TheLowerLayersUseNothingAboveThem()
    {
        var edges = Edges();
        string[] upper = { "NFStream.Engine.Flows", "NFStream.Engine.Export", "NFStream.Engine.Plugins" };
        foreach (string lower in new[] { "NFStream.Engine.Capture", "NFStream.Engine.Decoding", "NFStream.Engine.Dpi" })
        foreach (string up in upper.Append("NFStream.Engine"))
            Assert.False(edges.ContainsKey((lower, up)), $"{lower} uses {up}: {string.Join("; ", edges.GetValueOrDefault((lower, up)) ?? new())}");
    }

    [Fact]
    public void SharedTypesLiveInTheLayerTheyDescribe()
    {
        Assert.Equal("NFStream.Engine.Capture", typeof(IPacketSource).Namespace);
        Assert.Equal("NFStream.Engine.Dpi", typeof(L7Result).Namespace);
        Assert.Equal("NFStream.Engine.Decoding", typeof(TcpFlags).Namespace);
        Assert.Equal("NFStream.Engine.Decoding", typeof(FlowKey).Namespace);
    }
}
