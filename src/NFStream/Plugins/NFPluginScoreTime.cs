namespace NFStream.Plugins;

/// <summary>When an ONNX plugin scores a flow (New-NFPlugin -When).</summary>
public enum NFPluginScoreTime
{
    /// <summary>When the flow expires, with its final values.</summary>
    Expire,
    /// <summary>Once, when the flow reaches -AfterPackets packets.</summary>
    AfterPackets,
}
