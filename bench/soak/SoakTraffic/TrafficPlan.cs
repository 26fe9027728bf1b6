using System.Net;

namespace SoakTraffic;

/// <summary>
/// The soak's flows, a pure function of their index so that 'verify' can rebuild what 'generate' sent:
/// flow i goes from client 10.(100+i/65536).x.y (one address per flow, so every 5-tuple is unique) to a server,
/// alternately UDP (port 53) and TCP (port 443), with <see cref="PacketsPerFlow"/> packets, one every tick,
/// alternating direction: 3 client-to-server, 2 server-to-client.
/// </summary>
public static class TrafficPlan
{
    public const int PacketsPerFlow = 5;
    public const int ClientToServer = 3, ServerToClient = 2;
    public const ulong ClientMac = 0x02_00_5e_00_00_01, ServerMac = 0x02_00_5e_00_00_02;   // not the capturing end's MAC

    public static byte Protocol(long i) => i % 2 == 0 ? (byte)17 : (byte)6;

    public static uint ClientAddress(long i) => (10u << 24) | (uint)(100 + (i >> 16)) << 16 | (uint)(i & 0xffff);

    public static uint ServerAddress(long i) => (10u << 24) | (99u << 16) | (uint)(i % 4) << 8 | 1u;

    public static ushort ClientPort(long i) => (ushort)(10000 + i % 50000);

    public static ushort ServerPort(long i) => Protocol(i) == 17 ? (ushort)53 : (ushort)443;

    /// <summary>Packet k (0..4) goes client to server when k is even.</summary>
    public static bool FromClient(int k) => k % 2 == 0;

    public static string Text(uint address) => new IPAddress(new[] { (byte)(address >> 24), (byte)(address >> 16), (byte)(address >> 8), (byte)address }).ToString();

    /// <summary>The flow key as NFStream reports it (src is the client: it sends first).</summary>
    public static string Key(long i) => $"{Text(ClientAddress(i))}|{ClientPort(i)}|{Text(ServerAddress(i))}|{ServerPort(i)}|{Protocol(i)}";

    /// <summary>How many flows a run of <paramref name="seconds"/> at <paramref name="flowsPerSecond"/> starts.</summary>
    public static long FlowCount(double flowsPerSecond, double seconds) => (long)Math.Floor(flowsPerSecond * seconds);
}
