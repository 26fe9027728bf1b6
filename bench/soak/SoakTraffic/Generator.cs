using System.Diagnostics;
using NFStream.Engine.Samples;
using SharpPcap;
using SharpPcap.LibPcap;

namespace SoakTraffic;

/// <summary>
/// Injects the planned flows into an interface with pcap_sendpacket: every 10 ms tick it starts the flows due
/// by then (rate × elapsed) and sends the next packet of every flow in progress. Run it inside the namespace
/// that holds the far end of the veth pair; the near end, where Start-NFCapture listens, sees every frame.
/// </summary>
public sealed class Generator
{
    private const int TickMs = 10;
    private readonly FrameBuilder frame = new();
    private readonly byte[] payload = new byte[256];

    public sealed record Result(long Flows, long Packets, long SendErrors, double Seconds);

    public Result Run(string interfaceName, double flowsPerSecond, double seconds)
    {
        var pcap = PcapInterface.GetAllPcapInterfaces().FirstOrDefault(i => i.Name == interfaceName)
            ?? throw new ArgumentException($"no interface {interfaceName} in this namespace");
        using var device = new LibPcapLiveDevice(pcap);
        device.Open(new DeviceConfiguration { Snaplen = 2048, ReadTimeout = 100 });
        Random.Shared.NextBytes(payload);

        long total = TrafficPlan.FlowCount(flowsPerSecond, seconds);
        var active = new Queue<(long Flow, int Next)>();
        long started = 0, packets = 0, errors = 0;
        var clock = Stopwatch.StartNew();
        long tick = 0;
        while (started < total || active.Count > 0)
        {
            // The packets of every flow in progress: one each per tick.
            for (int n = active.Count; n > 0; n--)
            {
                var (flow, next) = active.Dequeue();
                if (!Send(device, flow, next)) errors++;
                packets++;
                if (next + 1 < TrafficPlan.PacketsPerFlow) active.Enqueue((flow, next + 1));
            }
            // New flows: as many as the rate allows by now.
            long due = Math.Min(total, (long)(flowsPerSecond * clock.Elapsed.TotalSeconds));
            for (; started < due; started++)
            {
                if (!Send(device, started, 0)) errors++;
                packets++;
                active.Enqueue((started, 1));
            }
            tick++;
            long wait = tick * TickMs - clock.ElapsedMilliseconds;
            if (wait > 0) Thread.Sleep((int)wait);
        }
        return new Result(started, packets, errors, clock.Elapsed.TotalSeconds);
    }

    private bool Send(LibPcapLiveDevice device, long i, int k)
    {
        bool fromClient = TrafficPlan.FromClient(k);
        uint client = TrafficPlan.ClientAddress(i), server = TrafficPlan.ServerAddress(i);
        ushort clientPort = TrafficPlan.ClientPort(i), serverPort = TrafficPlan.ServerPort(i);
        frame.Reset()
            .Ethernet(fromClient ? TrafficPlan.ServerMac : TrafficPlan.ClientMac, fromClient ? TrafficPlan.ClientMac : TrafficPlan.ServerMac, 0x0800)
            .Ipv4(fromClient ? client : server, fromClient ? server : client, TrafficPlan.Protocol(i));
        ushort from = fromClient ? clientPort : serverPort, to = fromClient ? serverPort : clientPort;
        if (TrafficPlan.Protocol(i) == 17)
        {
            frame.Udp(from, to).Bytes(payload.AsSpan(0, fromClient ? 40 : 120));
        }
        else
        {
            // SYN, SYN-ACK, request, response, ACK.
            var flags = k switch { 0 => TcpFlag.Syn, 1 => TcpFlag.Syn | TcpFlag.Ack, 4 => TcpFlag.Ack, _ => TcpFlag.Psh | TcpFlag.Ack };
            frame.Tcp(from, to, (uint)(1000 + k), k == 0 ? 0u : 5000u + (uint)k, flags);
            if (k is 2 or 3) frame.Bytes(payload.AsSpan(0, k == 2 ? 60 : 200));
        }
        try
        {
            device.SendPacket(frame.Complete());
            return true;
        }
        catch (PcapException)
        {
            return false;
        }
    }
}
