using NFStream.Tests.Hosting;
using static NFStream.Tests.Live.LiveCapture;

namespace NFStream.Tests.Live;

/// <summary>
/// Start-NFCapture on the loopback interface, with traffic the tests send themselves (UDP on 127.0.0.1, on
/// ports of their own, in bounded loops).
/// </summary>
[Collection(LiveCollection.Name)]
public sealed class StartNFCaptureTests
{
    [LiveFact]
    public void AKnownExchangeGivesOneFlowWithExactCountsAndDirections()
    {
        using var capture = new LiveCapture("-Interface lo -BpfFilter 'udp port 47001' -PacketCount 60 -NDissections 0");
        capture.WaitUntilCapturing();
        var (clientPort, serverPort) = UdpExchange(30, 47001);
        Assert.True(capture.WaitForEnd(TimeSpan.FromSeconds(30)), "-PacketCount 60 did not end the capture");

        var flow = Assert.Single(capture.Output);
        Assert.Equal(clientPort, Long(flow, "src_port"));
        Assert.Equal(serverPort, Long(flow, "dst_port"));
        Assert.Equal("127.0.0.1", flow.Properties["src_ip"].Value);
        Assert.Equal(30, Long(flow, "src2dst_packets"));
        Assert.Equal(30, Long(flow, "dst2src_packets"));
        Assert.Equal(60, Long(flow, "bidirectional_packets"));
        Assert.Equal(30 * (14 + 20 + 8 + 32), Long(flow, "src2dst_bytes"));
        Assert.Empty(capture.Errors);
    }

    [LiveFact]
    public void DurationEndsTheCaptureAndFlushesOpenFlows()
    {
        using var capture = new LiveCapture("-Interface lo -BpfFilter 'udp port 47002' -Duration 00:00:03 -NDissections 0");
        capture.WaitUntilCapturing();
        UdpExchange(5, 47002);
        Assert.True(capture.WaitForEnd(TimeSpan.FromSeconds(20)), "-Duration did not end the capture");
        Assert.InRange(capture.Elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(20));
        var flow = Assert.Single(capture.Output);        // still open at the end: flushed, idle reason 0
        Assert.Equal(10, Long(flow, "bidirectional_packets"));
        Assert.Equal(0, Long(flow, "expiration_id"));
    }

    [LiveFact]
    public void ABpfFilterExcludesOtherTraffic()
    {
        using var capture = new LiveCapture("-Interface lo -BpfFilter 'udp port 47003' -Duration 00:00:03 -NDissections 0");
        capture.WaitUntilCapturing();
        UdpExchange(4, 47004);     // filtered out
        UdpExchange(3, 47003);
        Assert.True(capture.WaitForEnd(TimeSpan.FromSeconds(20)));
        var flow = Assert.Single(capture.Output);
        Assert.Equal(47003, Long(flow, "dst_port"));
        Assert.Equal(6, Long(flow, "bidirectional_packets"));
    }

    [LiveFact]
    public void IdleFlowsExpireOnTheWallClockWhileNoPacketsArrive()
    {
        using var capture = new LiveCapture("-Interface lo -BpfFilter 'udp port 47005' -IdleTimeout 1 -Duration 00:00:06 -NDissections 0");
        capture.WaitUntilCapturing();
        var sent = capture.Elapsed;
        UdpExchange(2, 47005);
        Assert.True(capture.WaitForEnd(TimeSpan.FromSeconds(30)));
        var flow = Assert.Single(capture.Output);
        Assert.Equal(4, Long(flow, "bidirectional_packets"));
        Assert.Equal(0, Long(flow, "expiration_id"));
        // Emitted by the idle timeout about a second after the last packet, long before the capture ended.
        Assert.True(capture.Arrivals[0] < sent + TimeSpan.FromSeconds(4), $"flow arrived at {capture.Arrivals[0]}, sent at {sent}");
    }

    [LiveFact]
    public void MaxFlowsEndsTheCapture()
    {
        using var capture = new LiveCapture("-Interface lo -BpfFilter 'udp portrange 47010-47019' -MaxFlows 2 -IdleTimeout 1 -NDissections 0");
        capture.WaitUntilCapturing();
        UdpExchange(1, 47010);
        UdpExchange(1, 47011);
        UdpExchange(1, 47012);
        Assert.True(capture.WaitForEnd(TimeSpan.FromSeconds(30)), "-MaxFlows 2 did not end the capture");
        Assert.Equal(2, capture.Output.Count);
    }

    [LiveFact]
    public void AnUnknownInterfaceIsAClearError()
    {
        using var capture = new LiveCapture("-Interface nosuchif0 -Duration 00:00:01");
        Assert.True(capture.WaitForEnd(TimeSpan.FromSeconds(30)));
        var error = Assert.Single(capture.Errors);
        Assert.Equal("LiveCaptureUnknownInterface", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("nosuchif0", error.Exception.Message);
        Assert.Contains("lo", error.Exception.Message);
    }

    [LiveFact]
    public void GetNFInterfaceListsLoopbackAndPipesIntoStartNFCapture()
    {
        using var session = new PowerShellSession();
        var lo = Assert.Single(session.Run("Get-NFInterface lo").AssertSuccess().Output);
        Assert.True((bool)lo.Properties["IsLoopback"].Value);
        Assert.Contains("127.0.0.1", (IEnumerable<string>)lo.Properties["Addresses"].Value);
        var ended = session.Run("Get-NFInterface lo | Start-NFCapture -Duration 00:00:01 -BpfFilter 'udp port 47020' -NDissections 0");
        Assert.Empty(ended.Errors);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveCollection
{
    public const string Name = "Live capture";
}
