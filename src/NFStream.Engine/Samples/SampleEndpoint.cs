using System.Net;
using System.Net.Sockets;

namespace NFStream.Engine.Samples;

/// <summary>One end of a generated conversation: a MAC address, an IP address (v4 or v6) and a port.</summary>
public readonly record struct SampleEndpoint(ulong Mac, IPAddress Address, ushort Port)
{
    public SampleEndpoint(ulong mac, string address, ushort port) : this(mac, IPAddress.Parse(address), port) { }

    public bool IsIpv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;
}
