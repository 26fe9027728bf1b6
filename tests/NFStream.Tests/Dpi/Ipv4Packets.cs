using System.Buffers.Binary;

namespace NFStream.Tests.Dpi;

/// <summary>Builds raw IPv4 packets (from the IP header on, as the meter hands them to nDPI) with valid checksums.</summary>
internal static class Ipv4Packets
{
    private const byte TcpProtocol = 6;
    private const byte UdpProtocol = 17;

    public static byte[] Udp(string source, ushort sourcePort, string destination, ushort destinationPort,
        ReadOnlySpan<byte> payload)
    {
        var datagram = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(0), sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), (ushort)datagram.Length);
        payload.CopyTo(datagram.AsSpan(8));
        return Packet(source, destination, UdpProtocol, datagram, checksumOffset: 6);
    }

    public static byte[] TcpSegment(string source, ushort sourcePort, string destination, ushort destinationPort,
        uint sequence, uint acknowledgement, TcpFlags flags, ReadOnlySpan<byte> payload)
    {
        var segment = new byte[20 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(0), sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(4), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(8), (flags & TcpFlags.Ack) != 0 ? acknowledgement : 0);
        segment[12] = 5 << 4;
        segment[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(14), 64240);
        payload.CopyTo(segment.AsSpan(20));
        return Packet(source, destination, TcpProtocol, segment, checksumOffset: 16);
    }

    private static byte[] Packet(string source, string destination, byte protocol, byte[] l4, int checksumOffset)
    {
        var packet = new byte[20 + l4.Length];
        packet[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), 0x1234);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), 0x4000);
        packet[8] = 64;
        packet[9] = protocol;
        System.Net.IPAddress.Parse(source).TryWriteBytes(packet.AsSpan(12, 4), out _);
        System.Net.IPAddress.Parse(destination).TryWriteBytes(packet.AsSpan(16, 4), out _);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), Checksum(packet.AsSpan(0, 20), 0));

        l4.CopyTo(packet.AsSpan(20));
        uint pseudo = Sum16(packet.AsSpan(12, 8)) + protocol + (uint)l4.Length;
        ushort l4Checksum = Checksum(packet.AsSpan(20), pseudo);
        if (protocol == UdpProtocol && l4Checksum == 0) l4Checksum = 0xFFFF;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(20 + checksumOffset), l4Checksum);
        return packet;
    }

    private static uint Sum16(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2) sum += (uint)(data[i] << 8 | data[i + 1]);
        if ((data.Length & 1) != 0) sum += (uint)data[^1] << 8;
        return sum;
    }

    private static ushort Checksum(ReadOnlySpan<byte> data, uint initial)
    {
        uint sum = initial + Sum16(data);
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}

[Flags]
internal enum TcpFlags : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Psh = 0x08,
    Ack = 0x10,
}
