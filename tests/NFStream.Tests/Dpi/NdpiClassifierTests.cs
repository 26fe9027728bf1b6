using NFStream.Engine.Samples;
using System.Text;
using System.Text.RegularExpressions;
using NFStream.Engine;
using NFStream.Engine.Dpi;

namespace NFStream.Tests.Dpi;

/// <summary>nDPI 4.2 through the shim on hand-built packets: labels, metadata columns and NFStream's n_dissections rules.</summary>
public sealed class NdpiClassifierTests
{
    private static readonly Regex Md5Hex = new("^[0-9a-fA-F]{32}$");

    [NdpiFact]
    public void TlsClientHelloGivesSniAndJa3()
    {
        using var classifier = FlowClassifierFactory.Create(20);
        var tcp = new TcpConversation("10.0.0.1", 51000, "192.0.2.10", 443);
        var flow = new ClassifierDriver(classifier)
            .Feed(tcp.Handshake())
            .Feed(tcp.ClientData(ApplicationPayloads.TlsClientHello("www.example.com")));

        Assert.True(flow.State.AppKnown);
        Assert.Equal(0, flow.State.DetectionCompleted); // TLS wants the certificate: extra dissection goes on
        L7Result result = flow.Finish();

        Assert.StartsWith("TLS", result.ApplicationName);
        Assert.Equal("www.example.com", result.RequestedServerName);
        Assert.Matches(Md5Hex, result.ClientFingerprint);
        Assert.Equal(ApplicationPayloads.TlsClientHelloJa3, result.ClientFingerprint);
        Assert.Equal("", result.ServerFingerprint);
        Assert.Equal(0, result.IsGuessed);
        Assert.Equal(NdpiConfidence.Dpi, result.Confidence);
        Assert.NotEqual("", result.CategoryName);
        Assert.Equal(0, flow.State.Handle);
    }

    [NdpiFact]
    public void HttpGivesHostUserAgentAndContentType()
    {
        using var classifier = FlowClassifierFactory.Create(20);
        var tcp = new TcpConversation("10.0.0.2", 51001, "192.0.2.80", 80);
        var flow = new ClassifierDriver(classifier)
            .Feed(tcp.Handshake())
            .Feed(tcp.ClientData(ApplicationPayloads.HttpGet("example.org", "nfstream-test/1.0")))
            // nDPI 4.2 reads the response's Content-Type only when a packet separates it from the request.
            .Feed(tcp.FromServer(TcpFlag.Ack))
            .Feed(tcp.ServerData(ApplicationPayloads.HttpResponse("text/html")));

        L7Result result = flow.Finish();

        Assert.Equal("HTTP", result.ApplicationName);
        Assert.Equal("Web", result.CategoryName);
        Assert.Equal("example.org", result.RequestedServerName);
        Assert.Equal("nfstream-test/1.0", result.UserAgent);
        Assert.Equal("text/html", result.ContentType);
        Assert.Equal("", result.ClientFingerprint);
        Assert.Equal(NdpiConfidence.Dpi, result.Confidence);
    }

    [NdpiFact]
    public void DnsQueryGivesTheQueriedName()
    {
        using var classifier = FlowClassifierFactory.Create(20);
        var flow = new ClassifierDriver(classifier).Feed(Ipv4Packets.Udp("10.0.0.3", 53001, "192.0.2.53", 53,
            ApplicationPayloads.DnsQuery("www.nfstream.org")));

        L7Result result = flow.Finish();

        Assert.Equal("DNS", result.ApplicationName);
        Assert.Equal("Network", result.CategoryName);
        Assert.Equal("www.nfstream.org", result.RequestedServerName);
        Assert.Equal(0, result.IsGuessed);
        Assert.Equal(NdpiConfidence.Dpi, result.Confidence);
    }

    [NdpiFact]
    public void SshBannersAndKexInitGiveHassh()
    {
        using var classifier = FlowClassifierFactory.Create(20);
        var tcp = new TcpConversation("10.0.0.4", 51004, "192.0.2.22", 22);
        var flow = new ClassifierDriver(classifier)
            .Feed(tcp.Handshake())
            .Feed(tcp.ServerData(ApplicationPayloads.SshBanner("OpenSSH_8.4p1")))
            .Feed(tcp.ClientData(ApplicationPayloads.SshBanner("OpenSSH_9.2p1 Debian-2")))
            .Feed(tcp.ClientData(ApplicationPayloads.SshClientKexInit()))
            .Feed(tcp.ServerData(ApplicationPayloads.SshServerKexInit()));

        L7Result result = flow.Finish();

        Assert.Equal("SSH", result.ApplicationName);
        Assert.Equal(ApplicationPayloads.SshClientHassh, result.ClientFingerprint);
        Assert.Equal(ApplicationPayloads.SshServerHassh, result.ServerFingerprint);
        Assert.Matches(Md5Hex, result.ClientFingerprint);
    }

    [NdpiFact]
    public void DhcpGivesTheParameterRequestFingerprint()
    {
        using var classifier = FlowClassifierFactory.Create(20);
        var flow = new ClassifierDriver(classifier).Feed(Ipv4Packets.Udp("0.0.0.0", 68, "255.255.255.255", 67,
            ApplicationPayloads.DhcpDiscover("printer-7")));

        L7Result result = flow.Finish();

        Assert.Equal("DHCP", result.ApplicationName);
        Assert.Equal("1,3,6,15", result.ClientFingerprint);
        Assert.Equal("printer-7", result.RequestedServerName);
        Assert.Equal("", result.ServerFingerprint);
    }

    [NdpiFact]
    public void UnrecognisedTrafficIsUnknownAndNotGuessed()
    {
        using var classifier = FlowClassifierFactory.Create(20);
        var flow = new ClassifierDriver(classifier)
            .Feed(Ipv4Packets.Udp("10.0.0.6", 41234, "10.0.0.7", 45678, ApplicationPayloads.Noise()));

        L7Result result = flow.Finish();

        Assert.Equal("Unknown", result.ApplicationName);
        Assert.Equal(0, result.IsGuessed);
        Assert.Equal(NdpiConfidence.Unknown, result.Confidence);
        Assert.Equal("", result.RequestedServerName);
        Assert.False(flow.State.Guessed);
    }

    [NdpiFact]
    public void FinishGuessesAnUndetectedFlowByPort()
    {
        using var classifier = FlowClassifierFactory.Create(20);
        var tcp = new TcpConversation("10.0.0.5", 51005, "198.51.100.7", 443);
        var flow = new ClassifierDriver(classifier).Feed(tcp.FromClient(TcpFlag.Syn));
        Assert.False(flow.State.AppKnown);

        L7Result result = flow.Finish();

        Assert.StartsWith("TLS", result.ApplicationName);
        Assert.Equal(1, result.IsGuessed);
        Assert.Equal(NdpiConfidence.MatchByPort, result.Confidence);
        Assert.True(flow.State.Guessed);
        Assert.Equal("", result.ClientFingerprint);
    }

    [NdpiFact]
    public void OneDissectionGivesUpOnTheFirstPacketWhenUnknown()
    {
        using var classifier = FlowClassifierFactory.Create(1);
        var tcp = new TcpConversation("10.0.0.5", 51006, "198.51.100.7", 443);
        var flow = new ClassifierDriver(classifier).Feed(tcp.FromClient(TcpFlag.Syn));

        Assert.Equal(1, flow.State.DetectionCompleted);
        Assert.True(flow.State.Guessed);
        Assert.True(flow.State.AppKnown);
        flow.Feed(tcp.FromServer(TcpFlag.Syn | TcpFlag.Ack));
        Assert.Equal(2, flow.State.DetectionCompleted);
        flow.Feed(tcp.FromClient(TcpFlag.Ack));
        Assert.Equal(2, flow.State.DetectionCompleted);

        L7Result result = flow.Finish();
        Assert.StartsWith("TLS", result.ApplicationName);
        Assert.Equal(1, result.IsGuessed);
    }

    [NdpiFact]
    public void OneDissectionOfAKnownFirstPacketDoesNotGiveUp()
    {
        using var classifier = FlowClassifierFactory.Create(1);
        byte[] query = Ipv4Packets.Udp("10.0.0.3", 53002, "192.0.2.53", 53, ApplicationPayloads.DnsQuery("a.example"));
        var flow = new ClassifierDriver(classifier).Feed(query);

        Assert.True(flow.State.AppKnown);
        Assert.Equal(0, flow.State.DetectionCompleted);
        Assert.False(flow.State.Guessed);
        // As in NFStream, the packet limit is only checked at equality: past it, a known flow keeps being
        // dissected while nDPI wants more (DNS waits for the response).
        flow.Feed(query);
        Assert.Equal(0, flow.State.DetectionCompleted);

        L7Result result = flow.Finish();
        Assert.Equal("DNS", result.ApplicationName);
        Assert.Equal(0, result.IsGuessed);
    }

    [NdpiFact]
    public void UnknownFlowGivesUpWhenThePacketCountReachesNDissections()
    {
        using var classifier = FlowClassifierFactory.Create(3);
        byte[] noise = Ipv4Packets.Udp("10.0.0.6", 41235, "10.0.0.7", 45679, ApplicationPayloads.Noise());
        var flow = new ClassifierDriver(classifier).Feed(noise).Feed(noise);
        Assert.Equal(0, flow.State.DetectionCompleted);

        flow.Feed(noise);
        Assert.Equal(1, flow.State.DetectionCompleted);
        Assert.False(flow.State.AppKnown);
        flow.Feed(noise);
        Assert.Equal(2, flow.State.DetectionCompleted);

        Assert.Equal("Unknown", flow.Finish().ApplicationName);
    }

    [NdpiFact]
    public void KnownFlowStopsDissectingWhenNoExtraDissectionIsPossible()
    {
        using var classifier = FlowClassifierFactory.Create(20);
        var tcp = new TcpConversation("10.0.0.2", 51010, "192.0.2.80", 80);
        var flow = new ClassifierDriver(classifier)
            .Feed(tcp.Handshake())
            .Feed(tcp.ClientData(ApplicationPayloads.HttpGet("example.org", "ua")))
            .Feed(tcp.FromServer(TcpFlag.Ack))
            .Feed(tcp.ServerData(ApplicationPayloads.HttpResponse("text/plain")));
        Assert.Equal(0, flow.State.DetectionCompleted);

        flow.Feed(tcp.FromClient(TcpFlag.Ack)); // known and nothing more to learn: complete without dissecting
        Assert.Equal(1, flow.State.DetectionCompleted);
        flow.Feed(tcp.FromClient(TcpFlag.Ack));
        Assert.Equal(2, flow.State.DetectionCompleted);
        Assert.Equal("text/plain", flow.Finish().ContentType);
    }

    [NdpiFact]
    public void InvalidUtf8IsDroppedNotThrown()
    {
        using var classifier = FlowClassifierFactory.Create(20);
        var tcp = new TcpConversation("10.0.0.9", 51009, "192.0.2.81", 80);
        byte[] request = Encoding.Latin1.GetBytes("GET / HTTP/1.1\r\nHost: bad\u00ff\u00fehost\r\nUser-Agent: caf\u00c3\r\n\r\n");
        var flow = new ClassifierDriver(classifier).Feed(tcp.Handshake()).Feed(tcp.ClientData(request));

        L7Result result = flow.Finish();

        Assert.Equal("HTTP", result.ApplicationName);
        Assert.DoesNotContain('\uFFFD', result.RequestedServerName);
        Assert.DoesNotContain('\uFFFD', result.UserAgent);
        Assert.StartsWith("bad", result.RequestedServerName);
        Assert.EndsWith("host", result.RequestedServerName);
        Assert.Equal("caf", result.UserAgent);
    }

    [NdpiFact]
    public void EmptyAndOversizedPacketsAreHandled()
    {
        using var classifier = FlowClassifierFactory.Create(5);
        byte[] query = Ipv4Packets.Udp("10.0.0.8", 53008, "192.0.2.53", 53, ApplicationPayloads.DnsQuery("big.example"));
        var oversized = new byte[70_000];
        query.CopyTo(oversized, 0);
        var flow = new ClassifierDriver(classifier).Feed(Array.Empty<byte>()).Feed(oversized);
        Assert.Equal("DNS", flow.Finish().ApplicationName);
    }

    [NdpiFact]
    public void ReleaseFreesTheFlowWithoutCollecting()
    {
        using var classifier = FlowClassifierFactory.Create(20);
        var flow = new ClassifierDriver(classifier)
            .Feed(Ipv4Packets.Udp("10.0.0.3", 53003, "192.0.2.53", 53, ApplicationPayloads.DnsQuery("gone.example")));
        Assert.NotEqual(0, flow.State.Handle);

        flow.Release();
        Assert.Equal(0, flow.State.Handle);
        flow.Release(); // twice is harmless
        flow.Feed(ApplicationPayloads.Noise()); // updates after release are ignored
        Assert.Equal("Unknown", flow.Finish().ApplicationName);
    }

    [NdpiFact]
    public void DisposedClassifierRefusesNewFlows()
    {
        var classifier = FlowClassifierFactory.Create(20);
        classifier.Dispose();
        classifier.Dispose();
        DpiFlowState state = default;
        Assert.Throws<ObjectDisposedException>(() => classifier.Begin(ref state, ApplicationPayloads.Noise(), 1));
    }

    [NdpiFact]
    public void ClassifiersWorkOnSeveralThreadsAtOnce()
    {
        var names = new string[4];
        Parallel.For(0, names.Length, i =>
        {
            using var classifier = FlowClassifierFactory.Create(20);
            var flow = new ClassifierDriver(classifier).Feed(Ipv4Packets.Udp($"10.1.0.{i + 1}", 53100, "192.0.2.53",
                53, ApplicationPayloads.DnsQuery($"thread{i}.example")));
            names[i] = flow.Finish().RequestedServerName;
        });
        Assert.Equal(new[] { "thread0.example", "thread1.example", "thread2.example", "thread3.example" }, names);
    }

    [NdpiFact]
    public void NdpiRevisionIsFourPointTwo()
    {
        Assert.StartsWith("4.2", NdpiClassifier.NdpiRevision);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(256)]
    [InlineData(-1)]
    public void NDissectionsOutsideOneTo255IsRejected(int nDissections)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FlowClassifierFactory.Create(nDissections));
    }
}
