using NFStream.Engine.Decoding;

namespace NFStream.Engine.Plugins;

/// <summary>
/// The packet a plugin sees (NFStream's NFPacket). One instance is reused for every packet of a run, so keep
/// values, not the object. Addresses are the flow's, swapped when <see cref="direction"/> is 1.
/// </summary>
public sealed class NFPacket
{
    private byte[] frame = new byte[2048];
    private int ipOffset, ipLength;
    private byte[]? ipPacketCopy;
    private NFlow? flow;
    internal ParsedPacket Parsed;

    internal void Load(in ParsedPacket parsed, ReadOnlySpan<byte> data, NFlow owner)
    {
        Parsed = parsed;
        flow = owner;
        if (frame.Length < data.Length) frame = new byte[Math.Max(data.Length, frame.Length * 2)];
        data.CopyTo(frame);
        ipOffset = parsed.IpOffset;
        ipLength = Math.Min(parsed.IpLength, data.Length - parsed.IpOffset);
        ipPacketCopy = null;
    }

    private NFlow Flow => flow ?? throw new InvalidOperationException("No packet is loaded.");

    public ulong time => Parsed.TimeMs;
    public ulong delta_time => Parsed.DeltaTimeMs;
    public int direction => Parsed.Direction;
    public int raw_size => Parsed.RawSize;
    public int ip_size => Parsed.IpSize;
    public int transport_size => Parsed.TransportSize;
    public int payload_size => Parsed.PayloadSize;
    public string src_ip => direction == 0 ? Flow.src_ip : Flow.dst_ip;
    public string src_mac => direction == 0 ? Flow.src_mac : Flow.dst_mac;
    public string src_oui => direction == 0 ? Flow.src_oui : Flow.dst_oui;
    public string dst_ip => direction == 0 ? Flow.dst_ip : Flow.src_ip;
    public string dst_mac => direction == 0 ? Flow.dst_mac : Flow.src_mac;
    public string dst_oui => direction == 0 ? Flow.dst_oui : Flow.src_oui;
    public int src_port => Parsed.SrcPort;
    public int dst_port => Parsed.DstPort;
    public int protocol => Parsed.Protocol;
    public int vlan_id => Parsed.VlanId;
    public int ip_version => Parsed.IpVersion;
    public int tunnel_id => Parsed.TunnelId;
    public int syn => (Parsed.TcpFlags >> 1) & 1;
    public int cwr => (Parsed.TcpFlags >> 7) & 1;
    public int ece => (Parsed.TcpFlags >> 6) & 1;
    public int urg => (Parsed.TcpFlags >> 5) & 1;
    public int ack => (Parsed.TcpFlags >> 4) & 1;
    public int psh => (Parsed.TcpFlags >> 3) & 1;
    public int rst => (Parsed.TcpFlags >> 2) & 1;
    public int fin => Parsed.TcpFlags & 1;

    /// <summary>The bytes from the IP header to the end of the captured data (a copy, made on first access).</summary>
    public byte[] ip_packet => ipPacketCopy ??= frame.AsSpan(ipOffset, Math.Max(0, ipLength)).ToArray();

    /// <summary>The same bytes without copying; valid only during the callback.</summary>
    public ReadOnlySpan<byte> IpPacketSpan => frame.AsSpan(ipOffset, Math.Max(0, ipLength));
}
