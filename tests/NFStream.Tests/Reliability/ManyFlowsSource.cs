using System.Net;
using NFStream.Engine.Capture;
using NFStream.Engine.Samples;

namespace NFStream.Tests.Reliability;

/// <summary>
/// An in-memory packet source of many short flows, <see cref="Concurrent"/> of them open at once: flows are
/// taken in groups of that size, and each group sends its packets round-robin (packet 1 of every flow, then
/// packet 2 of every flow, ...). Two thirds are TCP with a handshake and a TLS ClientHello (nDPI keeps state
/// and strings for them), one third UDP DNS queries and responses. Every flow has
/// <see cref="PacketsPerFlow"/> packets; ten packets share each millisecond. No file, so a test can meter
/// hundreds of thousands of flows in seconds.
/// </summary>
public sealed class ManyFlowsSource : IPacketSource
{
    public const int PacketsPerFlow = 4;
    private const ulong StartMs = 1_700_000_000_000;
    private static readonly byte[] Hello = ApplicationPayloads.TlsClientHello("many.example.com");
    private static readonly byte[] Query = ApplicationPayloads.DnsQuery("many.example.com");
    private static readonly SampleEndpoint Web = new(0x02_00_00_00_00_01, "192.0.2.1", 443);
    private static readonly SampleEndpoint Dns = new(0x02_00_00_00_00_02, "192.0.2.2", 53);

    private readonly PacketFactory factory = new();
    private long packet;

    public ManyFlowsSource(int flows, int concurrent)
    {
        Flows = flows;
        Concurrent = concurrent;
    }

    public int Flows { get; }

    public int Concurrent { get; }

    public long TotalPackets => (long)Flows * PacketsPerFlow;

    /// <summary>Packets handed out so far.</summary>
    public long PacketsRead => packet;

    public string Name => $"{Flows} generated flows";

    public long Position => packet;

    public long Length => TotalPackets;

    public bool TryRead(out PacketRecord record)
    {
        if (packet >= TotalPackets)
        {
            record = default;
            return false;
        }
        // Which group, which packet of the flow, which flow of the group.
        long groupSize = Math.Min(Concurrent, Flows);
        long group = packet / (groupSize * PacketsPerFlow);
        long groupStart = group * groupSize;
        long inGroup = Math.Min(groupSize, Flows - groupStart);
        long within = packet - group * groupSize * PacketsPerFlow;
        int step = (int)(within / inGroup);
        int flow = (int)(groupStart + within % inGroup);
        ulong timeMs = StartMs + (ulong)(packet / 10);
        packet++;
        var frame = Frame(flow, step);
        record = new PacketRecord(frame, (uint)frame.Length, timeMs, 1, 0);
        return true;
    }

    private ReadOnlySpan<byte> Frame(int flow, int step)
    {
        var client = new SampleEndpoint(0x02_00_00_10_00_00UL | (uint)flow,
            new IPAddress(new byte[] { 10, (byte)(flow >> 16), (byte)(flow >> 8), (byte)flow }), (ushort)(1024 + flow % 60000));
        if (flow % 3 == 2)
            return step % 2 == 0 ? factory.Udp(client, Dns, Query) : factory.Udp(Dns, client, Query);
        const uint ClientIsn = 1000, ServerIsn = 50000;
        return step switch
        {
            0 => factory.Tcp(client, Web, ClientIsn, 0, TcpFlag.Syn, default),
            1 => factory.Tcp(Web, client, ServerIsn, ClientIsn + 1, TcpFlag.Syn | TcpFlag.Ack, default),
            2 => factory.Tcp(client, Web, ClientIsn + 1, ServerIsn + 1, TcpFlag.Ack, default),
            _ => factory.Tcp(client, Web, ClientIsn + 1, ServerIsn + 1, TcpFlag.Psh | TcpFlag.Ack, Hello),
        };
    }

    public void Dispose() { }
}
