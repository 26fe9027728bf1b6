namespace NFStream.Engine.Plugins;

/// <summary>
/// A compiled flow plugin (NFStream's NFPlugin): adds features to flows or acts on them. The meter calls
/// <see cref="OnInit"/> on the packet that creates a flow, <see cref="OnUpdate"/> on every later packet after
/// the flow's counters include it, and <see cref="OnExpire"/> after the final update, before the flow is
/// emitted. Setting <c>flow.expiration_id = -1</c> in OnInit or OnUpdate expires the flow after that packet.
/// The flow's columns and <c>udps</c> are extension properties (<see cref="NFlowProperties"/>): with
/// <c>using NFStream.Engine;</c> they read as <c>flow.bidirectional_packets</c>.
/// </summary>
public interface IFlowPlugin
{
    string Name { get; }
    void OnInit(NFPacket packet, NFlow flow);
    void OnUpdate(NFPacket packet, NFlow flow);
    void OnExpire(NFlow flow);
    /// <summary>Called once when the run ends (also after cancellation or an error).</summary>
    void OnCleanup();
}

/// <summary>A convenience base class with empty callbacks.</summary>
public abstract class FlowPlugin : IFlowPlugin
{
    public virtual string Name => GetType().Name;
    public virtual void OnInit(NFPacket packet, NFlow flow) { }
    public virtual void OnUpdate(NFPacket packet, NFlow flow) { }
    public virtual void OnExpire(NFlow flow) { }
    public virtual void OnCleanup() { }
}
