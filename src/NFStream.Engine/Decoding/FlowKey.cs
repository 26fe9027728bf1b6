using System.Runtime.CompilerServices;

namespace NFStream.Engine.Decoding;

/// <summary>
/// NFStream's direction-agnostic flow key: both endpoints (address and port) in a canonical order, protocol,
/// VLAN and tunnel. Both directions of a conversation map to the same key.
/// </summary>
internal readonly struct FlowKey : IEquatable<FlowKey>
{
    private readonly ulong aHi, aLo, bHi, bLo;
    private readonly ushort aPort, bPort, vlan;
    private readonly byte protocol, tunnel;

    private FlowKey(ulong aHi, ulong aLo, ushort aPort, ulong bHi, ulong bLo, ushort bPort, byte protocol,
        ushort vlan, byte tunnel)
    {
        this.aHi = aHi;
        this.aLo = aLo;
        this.aPort = aPort;
        this.bHi = bHi;
        this.bLo = bLo;
        this.bPort = bPort;
        this.protocol = protocol;
        this.vlan = vlan;
        this.tunnel = tunnel;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FlowKey From(in ParsedPacket p) => From(p, out _);

    /// <param name="sourceFirst">Whether the packet's source endpoint sorts first (is the key's first endpoint).
    /// Two packets of one flow go the same way exactly when they give the same value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FlowKey From(in ParsedPacket p, out bool sourceFirst)
    {
        bool srcFirst = p.SrcHi != p.DstHi ? p.SrcHi < p.DstHi
            : p.SrcLo != p.DstLo ? p.SrcLo < p.DstLo
            : p.SrcPort <= p.DstPort;
        sourceFirst = srcFirst;
        return srcFirst
            ? new FlowKey(p.SrcHi, p.SrcLo, p.SrcPort, p.DstHi, p.DstLo, p.DstPort, p.Protocol, p.VlanId, p.TunnelId)
            : new FlowKey(p.DstHi, p.DstLo, p.DstPort, p.SrcHi, p.SrcLo, p.SrcPort, p.Protocol, p.VlanId, p.TunnelId);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Equals(FlowKey o) =>
        aLo == o.aLo && bLo == o.bLo && aHi == o.aHi && bHi == o.bHi && aPort == o.aPort && bPort == o.bPort
        && protocol == o.protocol && vlan == o.vlan && tunnel == o.tunnel;

    public override bool Equals(object? obj) => obj is FlowKey k && Equals(k);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override int GetHashCode()
    {
        ulong h = aLo * 0x9E3779B97F4A7C15UL ^ bLo;
        h = h * 0xC2B2AE3D27D4EB4FUL ^ aHi ^ bHi << 1;
        h = h * 0x165667B19E3779F9UL ^ ((ulong)aPort << 32 | (ulong)bPort << 16 | vlan) ^ ((ulong)protocol << 48 | (ulong)tunnel << 56);
        h ^= h >> 29;
        h *= 0x9E3779B97F4A7C15UL;
        return (int)(h ^ h >> 32);
    }
}
