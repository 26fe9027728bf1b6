using System.Buffers.Binary;

namespace NFStream.Engine.Samples;

/// <summary>
/// Builds whole packets between two <see cref="SampleEndpoint"/>s: an optional Ethernet header (with an optional
/// 802.1Q tag), IPv4 or IPv6 by the endpoints' addresses, then UDP, TCP or ICMP echo and a payload. TCP sequence
/// numbers are the caller's (see <see cref="TcpSession"/>). The span returned is valid until the next call.
/// </summary>
public sealed class PacketFactory
{
    private readonly FrameBuilder builder = new();
    private readonly byte[] source16 = new byte[16], destination16 = new byte[16];

    /// <param name="ethernet">Start each frame with an Ethernet header (false: raw IP, as nDPI is fed).</param>
    /// <param name="vlanId">Tag each Ethernet frame with this 802.1Q VLAN id (0: untagged).</param>
    public PacketFactory(bool ethernet = true, ushort vlanId = 0)
    {
        Ethernet = ethernet;
        VlanId = vlanId;
    }

    public bool Ethernet { get; set; }

    public ushort VlanId { get; set; }

    public ReadOnlySpan<byte> Udp(SampleEndpoint from, SampleEndpoint to, ReadOnlySpan<byte> payload)
    {
        Network(from, to, 17);
        return builder.Udp(from.Port, to.Port).Bytes(payload).Complete();
    }

    public ReadOnlySpan<byte> Tcp(SampleEndpoint from, SampleEndpoint to, uint sequence, uint acknowledgement,
        TcpFlag flags, ReadOnlySpan<byte> payload)
    {
        Network(from, to, 6);
        return builder.Tcp(from.Port, to.Port, sequence, (flags & TcpFlag.Ack) != 0 ? acknowledgement : 0, flags)
            .Bytes(payload).Complete();
    }

    public ReadOnlySpan<byte> IcmpEcho(SampleEndpoint from, SampleEndpoint to, bool request, ushort identifier,
        ushort sequence, int payloadSize = 32)
    {
        Network(from, to, from.IsIpv6 ? (byte)58 : (byte)1);
        return builder.IcmpEcho(request, identifier, sequence).Filler(payloadSize).Complete();
    }

    private void Network(SampleEndpoint from, SampleEndpoint to, byte protocol)
    {
        builder.Reset();
        ushort etherType = from.IsIpv6 ? (ushort)0x86dd : (ushort)0x0800;
        if (Ethernet)
        {
            if (VlanId != 0) builder.Ethernet(to.Mac, from.Mac, 0x8100).Vlan(VlanId, etherType);
            else builder.Ethernet(to.Mac, from.Mac, etherType);
        }
        if (from.IsIpv6)
        {
            from.Address.TryWriteBytes(source16, out _);
            to.Address.TryWriteBytes(destination16, out _);
            builder.Ipv6(source16, destination16, protocol);
        }
        else
        {
            from.Address.TryWriteBytes(source16, out _);
            to.Address.TryWriteBytes(destination16, out _);
            builder.Ipv4(BinaryPrimitives.ReadUInt32BigEndian(source16), BinaryPrimitives.ReadUInt32BigEndian(destination16), protocol);
        }
    }
}
