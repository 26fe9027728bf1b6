namespace NFStream.Engine.Plugins;

/// <summary>
/// A plugin whose expiry work is cheaper in batches (a model scored on many flows at once). When such plugins
/// come last in the plugin list, the meter calls <see cref="ExpireDeferred"/> instead of
/// <see cref="IFlowPlugin.OnExpire"/> for each flow that expires during one meter call (a packet, an idle scan,
/// the end-of-input flush), then <see cref="CompleteBatch"/> once before any of those flows is handed out.
/// Throw <see cref="FlowPluginException"/> listing the unfinished flows when a batch fails.
/// </summary>
public interface IBatchingFlowPlugin : IFlowPlugin
{
    void ExpireDeferred(NFlow flow);
    void CompleteBatch();
}
