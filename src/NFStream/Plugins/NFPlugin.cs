using System.Collections;
using System.Management.Automation;

namespace NFStream.Plugins;

/// <summary>
/// A plugin written as scriptblocks (NFStream's NFPlugin): <c>OnInit { param($packet, $flow) }</c> on the packet
/// that creates a flow, <c>OnUpdate { param($packet, $flow) }</c> on every later packet, <c>OnExpire
/// { param($flow) }</c> before the flow is emitted, and <c>OnCleanup { }</c> once at the end. Each key of
/// <see cref="Parameter"/> is a variable in the scriptblocks (a model, a threshold...).
/// </summary>
public sealed class NFPlugin
{
    private static readonly string[] Keys = { "Name", "OnInit", "OnUpdate", "OnExpire", "OnCleanup", "Parameter" };

    public NFPlugin(string name) => Name = name;

    public string Name { get; }
    public ScriptBlock? OnInit { get; init; }
    public ScriptBlock? OnUpdate { get; init; }
    public ScriptBlock? OnExpire { get; init; }
    public ScriptBlock? OnCleanup { get; init; }
    public Hashtable Parameter { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    public override string ToString() => Name;

    /// <summary>A plugin from <c>@{ Name = ...; OnUpdate = { ... }; ... }</c>; unknown keys are an error.</summary>
    public static NFPlugin FromDictionary(IDictionary table)
    {
        foreach (object key in table.Keys)
            if (!Keys.Contains(key?.ToString(), StringComparer.OrdinalIgnoreCase))
                throw new ArgumentException($"Unknown plugin key '{key}'. A plugin hashtable may have: {string.Join(", ", Keys)}.");
        object? Get(string key)
        {
            foreach (DictionaryEntry entry in table)
                if (string.Equals(entry.Key?.ToString(), key, StringComparison.OrdinalIgnoreCase))
                    return entry.Value is PSObject ps ? ps.BaseObject : entry.Value;
            return null;
        }
        ScriptBlock? Block(string key) => Get(key) switch
        {
            null => null,
            ScriptBlock block => block,
            var other => throw new ArgumentException($"The plugin key '{key}' must be a scriptblock, not {other.GetType().Name}."),
        };
        return new NFPlugin(Get("Name")?.ToString() ?? "plugin")
        {
            OnInit = Block("OnInit"),
            OnUpdate = Block("OnUpdate"),
            OnExpire = Block("OnExpire"),
            OnCleanup = Block("OnCleanup"),
            Parameter = Get("Parameter") switch
            {
                null => new Hashtable(StringComparer.OrdinalIgnoreCase),
                IDictionary parameters => new Hashtable(parameters, StringComparer.OrdinalIgnoreCase),
                var other => throw new ArgumentException($"The plugin key 'Parameter' must be a hashtable, not {other.GetType().Name}."),
            },
        };
    }
}
