using System.Management.Automation;
using NFStream.Engine;
using NFStream.Engine.Plugins;

namespace NFStream.Plugins;

/// <summary>A plugin callback threw: which plugin, which callback, which flow, and the script's own error.</summary>
public sealed class PluginFailedException : Exception
{
    public PluginFailedException(string plugin, string callback, NFlow? flow, Exception inner)
        : base(Describe(plugin, callback, flow, inner), inner)
    {
        Plugin = plugin;
        Callback = callback;
        Flow = flow;
        ScriptPosition = (inner as IContainsErrorRecord)?.ErrorRecord.InvocationInfo?.PositionMessage;
    }

    /// <summary>A compiled plugin's failure, as the engine reports it.</summary>
    public PluginFailedException(FlowPluginException e)
        : this(e.Plugin, e.Callback, e.Flow, e.InnerException ?? e)
    {
    }

    public string Plugin { get; }
    public string Callback { get; }
    /// <summary>The flow being processed; null in OnCleanup.</summary>
    public NFlow? Flow { get; }
    public string? ScriptPosition { get; }

    private static string Describe(string plugin, string callback, NFlow? flow, Exception inner)
    {
        string endpoints = flow is null ? "" : $"{flow.src_ip}:{flow.src_port} -> {flow.dst_ip}:{flow.dst_port} protocol {flow.protocol}";
        string which = flow is null ? "" : flow.id >= 0
            ? $" for flow {flow.id} ({endpoints})"
            : $" for flow {endpoints} (not yet emitted, so without an id: ids are given in expiry order)";
        return $"Plugin '{plugin}' failed in {callback}{which}: {inner.Message}";
    }
}
