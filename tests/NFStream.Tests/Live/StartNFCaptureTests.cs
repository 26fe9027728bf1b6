using System.Management.Automation;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;

namespace NFStream.Tests.Live;

/// <summary>
/// Start-NFCapture on a veth pair whose far end is in a namespace of the test's own: the test sends a known
/// exchange and checks the flows. Each test bounds its capture with -Duration or -PacketCount, or stops it.
/// </summary>
[Collection(LiveCollection.Name)]
public sealed class StartNFCaptureTests : IDisposable
{
    private const int Requests = 30, Payload = 32;
    private const int FrameBytes = 14 + 20 + 8 + Payload;   // Ethernet + IPv4 + UDP + payload
    private readonly CaptureSession session = new();

    private static long Long(PSObject flow, string column) => Convert.ToInt64(flow.Properties[column].Value);

    private static string Text(PSObject flow, string column) => Convert.ToString(flow.Properties[column].Value)!;

    private static bool IsStatistics(PSObject o) => o.BaseObject.GetType().Name == nameof(CaptureStatistics);

    [LiveFact]
    public void KnownExchangeGivesOneFlowWithItsCountsAndDirectionsAndDurationEndsTheCapture()
    {
        using var net = new TestNetwork();
        using var capture = session.Begin($"Start-NFCapture -Interface {net.Interface} -Duration 4 -NDissections 0 -Verbose");
        net.Exchange(40001, 50001, Requests, Payload);
        var result = capture.End(TimeSpan.FromSeconds(20)).AssertSuccess();

        Assert.InRange(capture.Elapsed.TotalSeconds, 3.5, 12);   // -Duration 4 ended it
        var flow = Assert.Single(result.Output);
        Assert.Equal(net.HostAddress.ToString(), Text(flow, "src_ip"));
        Assert.Equal(net.PeerAddress.ToString(), Text(flow, "dst_ip"));
        Assert.Equal(40001, Long(flow, "src_port"));
        Assert.Equal(50001, Long(flow, "dst_port"));
        Assert.Equal(17, Long(flow, "protocol"));
        Assert.Equal(Requests, Long(flow, "src2dst_packets"));
        Assert.Equal(Requests, Long(flow, "dst2src_packets"));
        Assert.Equal(2 * Requests, Long(flow, "bidirectional_packets"));
        Assert.Equal(2 * Requests * FrameBytes, Long(flow, "bidirectional_bytes"));
        Assert.Equal(Requests * FrameBytes, Long(flow, "dst2src_bytes"));
        Assert.Equal(0, Long(flow, "expiration_id"));   // flushed at the end, as NFStream's end of input
        // A live flow shows PowerShell exactly its columns, as a flow from a file does.
        var columns = NFStream.Engine.FlowColumns.For(new NFStream.Engine.FlowOptions { NDissections = 0 }.Columns).Select(c => c.Name);
        Assert.Equal(columns, flow.Properties.Select(p => p.Name));
        Assert.Contains(result.Verbose, v => v.Contains($"{net.Interface}: ") && v.Contains("dropped: 0 by the kernel"));
    }

    [LiveFact]
    public void LoopbackSeesEachPacketOfAnExchangeOnce()
    {
        // On lo other programs may talk too: the filter keeps the test's own ports.
        using var capture = session.Begin("Start-NFCapture -Interface lo -BpfFilter 'udp port 47101' -PacketCount 20 -Duration 30 -NDissections 0 -Verbose");
        using (var server = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 47101)))
        using (var client = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0)))
        {
            server.Client.ReceiveTimeout = client.Client.ReceiveTimeout = 5000;
            var from = new System.Net.IPEndPoint(System.Net.IPAddress.Any, 0);
            for (int i = 0; i < 10; i++)
            {
                client.Send(new byte[Payload], Payload, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 47101));
                server.Send(new byte[Payload], Payload, server.Receive(ref from) is { } _ ? from : from);
                client.Receive(ref from);
            }
        }
        var flow = Assert.Single(capture.End(TimeSpan.FromSeconds(30)).AssertSuccess().Output);
        Assert.Equal("127.0.0.1", Text(flow, "src_ip"));
        Assert.Equal(47101, Long(flow, "dst_port"));
        Assert.Equal(10, Long(flow, "src2dst_packets"));
        Assert.Equal(10, Long(flow, "dst2src_packets"));
        Assert.Equal(10 * FrameBytes, Long(flow, "src2dst_bytes"));
    }

    [LiveFact]
    public void BpfFilterExcludesOtherTraffic()
    {
        using var net = new TestNetwork();
        using var capture = session.Begin(
            $"Start-NFCapture -Interface {net.Interface} -BpfFilter 'udp port 50002' -Duration 3 -NDissections 0 -StatisticsVariable stats -Verbose; $stats");
        net.Exchange(40002, 50002, 5);
        net.Exchange(40003, 50003, 7);
        var output = capture.End(TimeSpan.FromSeconds(20)).AssertSuccess().Output;

        var flow = Assert.Single(output, o => !IsStatistics(o));
        Assert.Equal(50002, Long(flow, "dst_port"));
        Assert.Equal(10, Long(flow, "bidirectional_packets"));
        dynamic stats = Assert.Single(output, IsStatistics).BaseObject;
        Assert.Equal(10L, (long)stats.PacketsRead);   // the kernel dropped the rest before they were copied
        Assert.Equal(10L, (long)stats.Live.PacketsReceived);
        Assert.Equal(0L, (long)stats.Live.DroppedByQueue);
    }

    [LiveFact]
    public void PacketCountStopsMidCaptureAndFlushesTheOpenFlow()
    {
        using var net = new TestNetwork();
        using var capture = session.Begin(
            $"Start-NFCapture -Interface {net.Interface} -BpfFilter udp -PacketCount 20 -IdleTimeout 3600 -Duration 30 -NDissections 0 -Verbose");
        net.Exchange(40004, 50004, Requests);
        var result = capture.End(TimeSpan.FromSeconds(20)).AssertSuccess();

        Assert.True(capture.Elapsed < TimeSpan.FromSeconds(20), "-PacketCount did not end the capture");
        var flow = Assert.Single(result.Output);
        Assert.Equal(20, Long(flow, "bidirectional_packets"));
        Assert.Equal(10, Long(flow, "src2dst_packets"));
        Assert.Equal(10, Long(flow, "dst2src_packets"));
        Assert.Equal(0, Long(flow, "expiration_id"));
    }

    [LiveFact]
    public void MaxFlowsEndsTheCaptureAfterThatManyFlows()
    {
        using var net = new TestNetwork();
        using var capture = session.Begin(
            $"Start-NFCapture -Interface {net.Interface} -MaxFlows 2 -IdleTimeout 1 -Duration 60 -NDissections 0 -Verbose");
        net.Exchange(40005, 50005, 2);
        net.Exchange(40006, 50006, 2);
        net.Exchange(40007, 50007, 2);
        var result = capture.End(TimeSpan.FromSeconds(30)).AssertSuccess();

        Assert.Equal(2, result.Output.Count);
        Assert.True(capture.Elapsed < TimeSpan.FromSeconds(30), "-MaxFlows did not end the capture");
    }

    [LiveFact]
    public void IdleFlowsExpireOnTheWallClockWhileNoPacketsArrive()
    {
        using var net = new TestNetwork();
        using var capture = session.Begin(
            $"Start-NFCapture -Interface {net.Interface} -IdleTimeout 1 -Duration 60 -NDissections 0 -Verbose");
        net.Exchange(40008, 50008, 3);
        var lastPacket = capture.Elapsed;

        // Nothing else crosses the link: only the wall-clock tick can expire the flow, long before -Duration.
        Assert.True(capture.WaitForOutput(1, TimeSpan.FromSeconds(10)), "the idle flow was not emitted while the link was quiet");
        var waited = capture.Arrivals[0] - lastPacket;
        Assert.InRange(waited.TotalSeconds, 0.9, 5);
        Assert.False(capture.IsCompleted);
        var flow = capture.Output[0];
        Assert.Equal(6, Long(flow, "bidirectional_packets"));
        Assert.Equal(0, Long(flow, "expiration_id"));

        Assert.True(capture.Stop() < TimeSpan.FromSeconds(3), "the capture did not stop promptly");
    }

    [LiveFact]
    public void StoppingThePipelineEndsTheCapturePromptly()
    {
        using var net = new TestNetwork();
        using var capture = session.Begin($"Start-NFCapture -Interface {net.Interface} -NDissections 0 -Verbose");
        net.Exchange(40009, 50009, 2);
        Assert.True(capture.Stop() < TimeSpan.FromSeconds(3), "the capture did not stop promptly");
        Assert.True(capture.IsCompleted);
    }

    [LiveFact]
    public void PerformanceReportsArriveEverySecondsAndCountThePackets()
    {
        using var net = new TestNetwork();
        using var capture = session.Begin(
            $"Start-NFCapture -Interface {net.Interface} -Duration 3.5 -PerformanceReport 1 -NDissections 0 -Verbose");
        net.Exchange(40010, 50010, 4);
        capture.End(TimeSpan.FromSeconds(20)).AssertSuccess();

        var reports = capture.Information.Where(r => r.Tags.Contains("PerformanceReport")).ToList();
        Assert.InRange(reports.Count, 2, 4);
        Assert.Equal(nameof(LiveCaptureReport), reports[^1].MessageData.GetType().Name);
        dynamic last = reports[^1].MessageData;
        Assert.Equal(net.Interface, (string)last.Interface);
        Assert.True((long)last.PacketsReceived >= 8, "the 8 UDP packets (and ARP) were not all counted");
        Assert.Equal(8L, (long)last.PacketsMetered);
        Assert.Equal(1, (int)last.ActiveFlows);
        Assert.Equal(0L, (long)last.DroppedByQueue);
    }

    [LiveFact]
    public void PluginsRunOnThePipelineThreadAndCleanUpOnceAtTheEnd()
    {
        using var net = new TestNetwork();
        using var capture = session.Begin($$"""
            $pipeline = [Threading.Thread]::CurrentThread.ManagedThreadId
            $state = @{ threads = [Collections.Generic.HashSet[int]]::new(); cleanups = 0 }
            $p = New-NFPlugin -Name probe `
                -OnInit   { param($packet, $flow) $null = $state.threads.Add([Threading.Thread]::CurrentThread.ManagedThreadId); $flow.udps.seen = 1 } `
                -OnUpdate { param($packet, $flow) $null = $state.threads.Add([Threading.Thread]::CurrentThread.ManagedThreadId); $flow.udps.seen += 1 } `
                -OnCleanup { $state.cleanups++ }
            Start-NFCapture -Interface {{net.Interface}} -BpfFilter udp -Duration 3 -NDissections 0 -Plugin $p -Verbose
            "threads=$($state.threads -join ',') pipeline=$pipeline cleanups=$($state.cleanups)"
            """);
        net.Exchange(40011, 50011, 10);
        var output = capture.End(TimeSpan.FromSeconds(20)).AssertSuccess().Output;

        var flow = Assert.Single(output, o => o.BaseObject is not string);
        Assert.Equal(20L, Convert.ToInt64(((System.Collections.IDictionary)flow.Properties["udps"].Value)["seen"]));
        string summary = (string)Assert.Single(output, o => o.BaseObject is string).BaseObject;
        var match = System.Text.RegularExpressions.Regex.Match(summary, @"^threads=(\d+) pipeline=(\d+) cleanups=1$");
        Assert.True(match.Success, summary);
        Assert.Equal(match.Groups[2].Value, match.Groups[1].Value);   // one thread, the pipeline's
    }

    [LiveFact]
    public void InterfacesPipeIntoStartNFCaptureByName()
    {
        using var net = new TestNetwork();
        var result = session.Run($"Get-NFInterface -Name {net.Interface} | Start-NFCapture -Duration '00:00:01' -NDissections 0 -Verbose").AssertSuccess();
        Assert.Contains(result.Verbose, v => v.StartsWith($"Capturing on {net.Interface} (link type Ethernet (1)", StringComparison.Ordinal));
    }

    [LiveFact]
    public void GetNFInterfaceListsTheInterfacesWithTheirAddressesAndState()
    {
        using var net = new TestNetwork();
        var all = session.Run("Get-NFInterface").AssertSuccess().Output.Select(o => (dynamic)o.BaseObject).ToList();
        Assert.All(all, i => Assert.Equal(nameof(CaptureInterface), ((object)i).GetType().Name));

        dynamic lo = Assert.Single(all, i => (string)i.Name == "lo");
        Assert.True((bool)lo.IsLoopback);
        Assert.True((bool)lo.IsUp);
        Assert.Equal("Up", (string)lo.Status);
        Assert.Contains(((IEnumerable<System.Net.IPAddress>)lo.Addresses).Select(a => a.ToString()), a => a == "127.0.0.1");
        dynamic veth = Assert.Single(all, i => (string)i.Name == net.Interface);
        Assert.False((bool)veth.IsLoopback);
        Assert.True((bool)veth.IsUp);
        Assert.Equal(net.HostAddress, Assert.Single((IEnumerable<System.Net.IPAddress>)veth.Addresses));
        Assert.Matches("^([0-9a-f]{2}:){5}[0-9a-f]{2}$", (string)veth.MacAddress);

        var byWildcard = session.Run($"Get-NFInterface -Name '{net.Interface[..^1]}*'").AssertSuccess().Output;
        Assert.Equal(net.Interface, (string)((dynamic)Assert.Single(byWildcard).BaseObject).Name);
    }

    [LiveFact]
    public void InterfaceNamesCompleteOnTab()
    {
        using var net = new TestNetwork();
        string input = $"Start-NFCapture -Interface {net.Interface[..^2]}";
        var result = session.Run(
            $"(TabExpansion2 -inputScript '{input}' -cursorColumn {input.Length}).CompletionMatches | ForEach-Object CompletionText").AssertSuccess();
        Assert.Equal(net.Interface, Assert.Single(result.Output).BaseObject);
    }

    public void Dispose() => session.Dispose();
}

/// <summary>Tests that need no capture rights.</summary>
[Collection(LiveCollection.Name)]
public sealed class StartNFCaptureErrorTests : IDisposable
{
    private readonly CaptureSession session = new();

    [Fact]
    public void UnknownInterfaceGivesOneClearError()
    {
        var result = session.Run("Start-NFCapture -Interface nfs-no-such0 -Duration 1 -NDissections 0");
        Assert.Null(result.Terminating);
        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Equal("InterfaceNotFound", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("nfs-no-such0", error.TargetObject);
        Assert.Contains("nfs-no-such0", error.Exception.Message);
        Assert.Contains("Get-NFInterface", error.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public void GetNFInterfaceReportsAMissingNameButNotAnUnmatchedWildcard()
    {
        var missing = session.Run("Get-NFInterface -Name nfs-no-such0");
        Assert.Equal("InterfaceNotFound", Assert.Single(missing.Errors).FullyQualifiedErrorId.Split(',')[0]);
        var wildcard = session.Run("Get-NFInterface -Name 'nfs-no-such*'").AssertSuccess();
        Assert.Empty(wildcard.Output);
    }

    [Fact]
    public void DurationMustBePositive()
    {
        var zero = session.Run("Start-NFCapture -Interface lo -Duration 0");
        var error = Assert.Single(zero.Errors);   // statement-terminating: the script goes on
        Assert.Equal("DurationNotPositive", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Empty(zero.Output);
    }

    public void Dispose() => session.Dispose();
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveCollection
{
    public const string Name = "Live";
}
