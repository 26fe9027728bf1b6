using System.Collections;
using System.Management.Automation;
using NFStream.Engine.Plugins;

namespace NFStream.Plugins;

/// <summary>
/// Lets -Plugin take what a user naturally writes: New-NFPlugin objects, hashtables such as
/// <c>@{ Name = 'count'; OnUpdate = { ... } }</c>, compiled plugins (<see cref="IFlowPlugin"/>), and the names of
/// the built-in compiled plugins (<c>'PayloadEntropy'</c>).
/// </summary>
public sealed class PluginTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var items = inputData is PSObject { BaseObject: IList list } ? list : inputData as IList;
        if (items is null || inputData is IDictionary || (inputData is PSObject { BaseObject: IDictionary }))
            items = new[] { inputData };
        var plugins = new IFlowPlugin[items.Count];
        for (int i = 0; i < items.Count; i++) plugins[i] = Convert(items[i]);
        return plugins;
    }

    private static IFlowPlugin Convert(object? item) => (item is PSObject ps ? ps.BaseObject : item) switch
    {
        IFlowPlugin compiled => compiled,
        NFPlugin definition => new ScriptBlockPlugin(definition),
        IDictionary table => Wrap(table),
        string name => BuiltInPlugins.Create(name) ?? throw new ArgumentTransformationMetadataException(
            $"'{name}' is not a built-in plugin. Built-in plugins: {string.Join(", ", BuiltInPlugins.Names)}."),
        null => throw new ArgumentTransformationMetadataException("A plugin cannot be null."),
        var other => throw new ArgumentTransformationMetadataException(
            $"A {other.GetType().Name} is not a plugin: give New-NFPlugin's output, a hashtable, a compiled IFlowPlugin or a built-in plugin's name."),
    };

    private static IFlowPlugin Wrap(IDictionary table)
    {
        try
        {
            return new ScriptBlockPlugin(NFPlugin.FromDictionary(table));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentTransformationMetadataException(e.Message, e);
        }
    }
}
