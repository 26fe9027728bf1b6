using NFStream.Engine.Samples;

namespace NFStream.Tests.Dpi;

/// <summary>Raw IPv4 packets (from the IP header on, as the meter hands them to nDPI), built by the engine's samples.</summary>
internal static class Ipv4Packets
{
    private static readonly PacketFactory Factory = new(ethernet: false);

    public static byte[] Udp(string source, ushort sourcePort, string destination, ushort destinationPort,
        ReadOnlySpan<byte> payload)
    {
        lock (Factory)
            return Factory.Udp(new SampleEndpoint(0, source, sourcePort), new SampleEndpoint(0, destination, destinationPort), payload).ToArray();
    }
}
