namespace NFStream.Engine.Plugins;

/// <summary>
/// A compiled plugin failed while flows were metered (for example an ONNX model that fails at run time): which
/// plugin, which callback, the flow, the cause, and the flows it could not finish (the meter withholds those).
/// </summary>
public sealed class FlowPluginException : Exception
{
    public FlowPluginException(string plugin, string callback, NFlow? flow, Exception inner, IReadOnlyList<NFlow>? unfinished = null)
        : base(inner.Message, inner)
    {
        Plugin = plugin;
        Callback = callback;
        Flow = flow;
        Unfinished = unfinished ?? (flow is null ? Array.Empty<NFlow>() : new[] { flow });
    }

    public string Plugin { get; }
    public string Callback { get; }
    public NFlow? Flow { get; }

    /// <summary>Flows the plugin did not finish: they are not handed out (no flow leaves without its values).</summary>
    public IReadOnlyList<NFlow> Unfinished { get; }
}
