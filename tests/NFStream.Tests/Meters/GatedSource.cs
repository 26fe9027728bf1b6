using NFStream.Engine.Capture;

namespace NFStream.Tests.Meters;

/// <summary>A source that holds its first packet back until the gate opens (a stalled read, for the metering loop tests).</summary>
internal sealed class GatedSource(IPacketSource inner, ManualResetEventSlim gate) : IPacketSource
{
    public string Name => inner.Name;
    public long Position => inner.Position;
    public long Length => inner.Length;

    public bool TryRead(out PacketRecord packet)
    {
        gate.Wait();
        return inner.TryRead(out packet);
    }

    public void Dispose() => inner.Dispose();
}
