using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NFStream.Engine;
using NFStream.Engine.Export.Ipfix;

namespace NFStream.Tests.Ipfix;

/// <summary>The UDP and TCP transports against sockets on loopback: delivery, sizes, and collectors that are down or stall.</summary>
public sealed class IpfixTransportTests
{
    private static int FreeUdpPort()
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
    }

    private static int FreeTcpPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    [Fact]
    public void UdpDatagramsAreWholeMessagesThatFitTheMtu()
    {
        var flows = SampleFlows.Meter(new FlowOptions(), rounds: 8);
        using var collector = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        collector.Client.ReceiveBufferSize = 1 << 20;
        collector.Client.ReceiveTimeout = 5000;
        var endpoint = (IPEndPoint)collector.Client.LocalEndPoint!;
        var transport = new UdpIpfixTransport(endpoint, 1280);
        Assert.Equal(1280 - 20 - 8, transport.MaxMessageLength);
        using (var exporter = new IpfixExporter(transport))
        {
            foreach (var f in flows) exporter.Export(f);
            exporter.Close(TimeSpan.FromSeconds(1));
            Assert.Equal(0, exporter.MessagesDropped + exporter.MessagesRefused);
        }
        var decoder = new IpfixTestDecoder();
        int records = 0;
        for (long i = 0; i < transport.MessagesSent; i++)
        {
            var from = new IPEndPoint(IPAddress.Any, 0);
            byte[] datagram = collector.Receive(ref from);
            Assert.InRange(datagram.Length, 20, 1252);
            records += decoder.Decode(datagram).Records.Count;   // the message length equals the datagram's
        }
        Assert.Equal(flows.Count + flows.Count(f => f.dst2src_packets > 0), records);
        Assert.True(transport.MessagesSent >= 2);
    }

    [Fact]
    public void UdpOverIpv6LeavesRoomForTheLargerHeader() =>
        Assert.Equal(1500 - 40 - 8, new UdpIpfixTransport(new IPEndPoint(IPAddress.IPv6Loopback, 4739), 1500).MaxMessageLength);

    [Fact]
    public void UdpToACollectorThatIsDownCountsRefusalsAndDoesNotWait()
    {
        var flows = SampleFlows.Meter(new FlowOptions { NDissections = 0 }, rounds: 1);
        var transport = new UdpIpfixTransport(new IPEndPoint(IPAddress.Loopback, FreeUdpPort()), 1500);
        using var exporter = new IpfixExporter(transport, new IpfixExporterOptions { MaxMessageDelay = TimeSpan.Zero });
        for (int i = 0; i < 20; i++)
        {
            exporter.Export(flows[0]);
            exporter.Flush();
            Thread.Sleep(5);   // lets the ICMP port unreachable arrive before the next send
        }
        Assert.True(exporter.MessagesRefused > 0, "no refusal counted");
        Assert.Equal(20, exporter.MessagesSent + exporter.MessagesRefused + exporter.MessagesDropped);
        Assert.Null(exporter.Failure);
    }

    [Fact]
    public void TcpConnectionRefusedIsAClearError()
    {
        int port = FreeTcpPort();
        var e = Assert.Throws<IpfixExportException>(() =>
            TcpIpfixTransport.Connect(new IPEndPoint(IPAddress.Loopback, port), TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.Equal($"tcp://127.0.0.1:{port}", e.Destination);
        Assert.Contains($"Cannot connect to the IPFIX collector at tcp://127.0.0.1:{port}", e.Message);
        Assert.Contains("refused", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TcpCarriesEveryMessageWithTemplatesOnlyAtTheStart()
    {
        var flows = SampleFlows.Meter(new FlowOptions(), rounds: 40);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = listener.AcceptSocketAsync();
        var transport = TcpIpfixTransport.Connect((IPEndPoint)listener.LocalEndpoint, TimeSpan.FromSeconds(5), CancellationToken.None);
        using var server = await accepted;
        var received = Task.Run(() =>
        {
            using var stream = new NetworkStream(server);
            var all = new MemoryStream();
            stream.CopyTo(all);
            return all.ToArray();
        });
        using (var exporter = new IpfixExporter(transport, new IpfixExporterOptions { TemplateRefreshInterval = TimeSpan.FromTicks(1) }))
        {
            foreach (var f in flows) exporter.Export(f);
            exporter.Close(TimeSpan.FromSeconds(10));
            Assert.Equal(0, exporter.MessagesDropped);
        }
        Assert.True(await Task.WhenAny(received, Task.Delay(TimeSpan.FromSeconds(10))) == received, "the stream did not end");
        byte[] bytes = await received;
        listener.Stop();

        var decoder = new IpfixTestDecoder();
        var messages = new List<IpfixTestDecoder.Message>();
        for (int at = 0; at < bytes.Length;)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at + 2));
            Assert.InRange(length, 20, TcpIpfixTransport.DefaultMaxMessageLength);
            messages.Add(decoder.Decode(bytes.AsSpan(at, length)));
            at += length;
        }
        Assert.Equal(transport.MessagesSent, messages.Count);
        Assert.True(messages.Count >= 2);
        Assert.Equal(2, messages[0].TemplateIds.Count);
        Assert.All(messages.Skip(1), m => Assert.Empty(m.TemplateIds));   // a refresh interval means nothing over TCP
        Assert.Equal(flows.Count + flows.Count(f => f.dst2src_packets > 0), messages.Sum(m => m.Records.Count));
    }

    [Fact]
    public async Task ACollectorThatStopsReadingNeverBlocksTheSender()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Server.ReceiveBufferSize = 4096;
        listener.Start();
        var accepted = listener.AcceptSocketAsync();
        var transport = TcpIpfixTransport.Connect((IPEndPoint)listener.LocalEndpoint, TimeSpan.FromSeconds(5), CancellationToken.None,
            queueCapacity: 4);
        using var server = await accepted;   // accepted, and never read
        var message = new byte[TcpIpfixTransport.DefaultMaxMessageLength];
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 5000; i++) transport.Send(message);   // 80 MB: far beyond every buffer on the way
        clock.Stop();
        Assert.True(transport.MessagesDropped > 4000, $"{transport.MessagesDropped} dropped");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"sending took {clock.Elapsed}");
        transport.Close(TimeSpan.FromMilliseconds(200));   // gives up on the queue rather than waiting for the collector
        listener.Stop();
    }

    [Fact]
    public async Task ABrokenConnectionIsReportedOnceAndLaterFlowsAreCounted()
    {
        var flows = SampleFlows.Meter(new FlowOptions { NDissections = 0 }, rounds: 1);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = listener.AcceptSocketAsync();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        var transport = TcpIpfixTransport.Connect(endpoint, TimeSpan.FromSeconds(5), CancellationToken.None);
        var server = await accepted;
        server.LingerState = new LingerOption(true, 0);   // close with a reset
        server.Close();
        listener.Stop();
        using var exporter = new IpfixExporter(transport, new IpfixExporterOptions { MaxMessageDelay = TimeSpan.Zero });
        var deadline = Stopwatch.StartNew();
        while (exporter.Failure is null && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            exporter.Export(flows[0]);
            exporter.Flush();
            Thread.Sleep(10);
        }
        var failure = Assert.IsType<IpfixExportException>(exporter.Failure);
        Assert.Contains($"tcp://127.0.0.1:{endpoint.Port}", failure.Message);
        Assert.Contains("broke", failure.Message);
        long before = exporter.FlowsNotExported;
        exporter.Export(flows[1]);
        Assert.Equal(before + 1, exporter.FlowsNotExported);
    }
}
