namespace NFStream.Engine.Plugins;

/// <summary>The compiled plugins that ship with the engine, by name.</summary>
public static class BuiltInPlugins
{
    public static IReadOnlyList<string> Names { get; } = new[] { PayloadEntropyPlugin.PluginName };

    /// <summary>A new instance of the named built-in plugin, or null when there is none by that name.</summary>
    public static IFlowPlugin? Create(string name) =>
        string.Equals(name, PayloadEntropyPlugin.PluginName, StringComparison.OrdinalIgnoreCase) ? new PayloadEntropyPlugin() : null;
}
