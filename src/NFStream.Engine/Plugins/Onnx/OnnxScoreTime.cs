namespace NFStream.Engine.Plugins.Onnx;

/// <summary>When an ONNX plugin scores a flow.</summary>
public enum OnnxScoreTime
{
    /// <summary>When the flow expires, with its final values (NFStream's on_expire pattern).</summary>
    Expire,
    /// <summary>Once, when the flow reaches a number of packets (NFStream's on_update early-classification pattern).</summary>
    AfterPackets,
}
