using NFStream.Engine;
using NFStream.Engine.Dpi;

namespace NFStream.Tests.Dpi;

/// <summary>Feeds one flow's packets to a classifier the way the meter does: Begin, then Update with the packet count.</summary>
internal sealed class ClassifierDriver
{
    private readonly IFlowClassifier classifier;
    private DpiFlowState state;
    private ulong packets;
    private ulong clockMs = 1_700_000_000_000;

    public ClassifierDriver(IFlowClassifier classifier) => this.classifier = classifier;

    public DpiFlowState State => state;

    public ulong Packets => packets;

    public ClassifierDriver Feed(byte[] ipPacket)
    {
        clockMs += 7;
        packets++;
        if (packets == 1) classifier.Begin(ref state, ipPacket, clockMs);
        else classifier.Update(ref state, ipPacket, clockMs, packets);
        return this;
    }

    public ClassifierDriver Feed(IEnumerable<byte[]> ipPackets)
    {
        foreach (byte[] packet in ipPackets) Feed(packet);
        return this;
    }

    public L7Result Finish() => classifier.Finish(ref state);

    public void Release() => classifier.Release(ref state);
}
