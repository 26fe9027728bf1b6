namespace NFStream.Engine.Dpi;

/// <summary>Per-flow state that a classifier keeps inside the flow (no allocation per packet).</summary>
public struct DpiFlowState
{
    /// <summary>Opaque native handle of the classifier's per-flow state; 0 when none.</summary>
    public nint Handle;
    /// <summary>NFStream's detection_completed: 0 dissecting, 1 done, 2 done and copied.</summary>
    public byte DetectionCompleted;
    /// <summary>True once the classifier knows the application (app protocol not unknown).</summary>
    public bool AppKnown;
    /// <summary>True when the result came from a guess (ndpi_detection_giveup).</summary>
    public bool Guessed;
    /// <summary>
    /// The results, collected as soon as detection completed (the native state is freed then: nothing reads or
    /// changes it afterwards); null while the flow is still being dissected.
    /// </summary>
    public L7Result? Result;
}

/// <summary>
/// The meter's hook for layer-7 classification. One instance serves one meter (one thread) and sees that
/// meter's packets in order, as NFStream's single shared nDPI module per meter does. The meter calls
/// <see cref="Begin"/> on the packet that creates a flow, <see cref="Update"/> on every later packet (after the
/// flow's packet count includes it), and <see cref="Finish"/> when the flow expires; <see cref="Release"/>
/// frees a flow's state without collecting results (for example when a run is cancelled).
/// </summary>
public interface IFlowClassifier : IDisposable
{
    /// <summary>NFStream's flow_init_bidirectional_dissection: dissect the first packet.</summary>
    void Begin(ref DpiFlowState state, ReadOnlySpan<byte> ipPacket, ulong timeMs);

    /// <summary>NFStream's flow_update_bidirectional_dissection.</summary>
    /// <param name="bidirectionalPackets">The flow's packet count, including this packet.</param>
    void Update(ref DpiFlowState state, ReadOnlySpan<byte> ipPacket, ulong timeMs, ulong bidirectionalPackets);

    /// <summary>NFStream's meter_expire_flow: guess if still undetected, collect the L7 fields, free native state.</summary>
    L7Result Finish(ref DpiFlowState state);

    /// <summary>Frees the flow's native state without collecting anything.</summary>
    void Release(ref DpiFlowState state);

    /// <summary>
    /// Makes now what the first flow would make (nDPI's module): a classifier thread calls it before its first
    /// job, so that the work overlaps the meter's start instead of waiting in front of the first packet.
    /// </summary>
    void Prepare() { }
}
