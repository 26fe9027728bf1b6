using NFStream.Engine.Dpi;
using Microsoft.Extensions.Time.Testing;
using NFStream.Engine;
using NFStream.Engine.Export.Ipfix;
using E = NFStream.Engine.Export.Ipfix.IpfixElement;

namespace NFStream.Tests.Ipfix;

/// <summary>
/// What the exporter puts on the wire, read back by a decoder written from RFC 7011: the templates, one record
/// per direction with the flow's values, IP octets whatever the accounting mode, message sizes, sequence
/// numbers, template refresh and the delay bound on a partial message.
/// </summary>
public sealed class IpfixExporterTests
{
    private static readonly IpfixExporterOptions NoTimer = new() { MaxMessageDelay = TimeSpan.Zero };

    private static List<IpfixTestDecoder.Message> Export(IEnumerable<NFlow> flows, CapturingTransport transport, IpfixExporterOptions? options = null)
    {
        using (var exporter = new IpfixExporter(transport, options ?? NoTimer))
        {
            foreach (var flow in flows) exporter.Export(flow);
            exporter.Close(TimeSpan.FromSeconds(1));
        }
        var decoder = new IpfixTestDecoder();
        return transport.Messages.Select(m => decoder.Decode(m)).ToList();
    }

    /// <summary>Each direction's IP octets (header and payload), from the IP-mode byte counts: IPv6's exclude its 40-byte header.</summary>
    private static (ulong S2d, ulong D2s) IpOctets(NFlow ipMode) => ipMode.ip_version == 6
        ? (ipMode.src2dst_bytes + 40 * ipMode.src2dst_packets, ipMode.dst2src_bytes + 40 * ipMode.dst2src_packets)
        : (ipMode.src2dst_bytes, ipMode.dst2src_bytes);

    [Fact]
    public void TemplatesDeclareTheDocumentedLayout()
    {
        var transport = new CapturingTransport();
        var message = Export(SampleFlows.Meter(new FlowOptions(), rounds: 1).Take(1), transport)[0];
        Assert.Equal(new ushort[] { 256, 257 }, message.TemplateIds);
        (ushort, ushort)[] Layout(ushort address, ushort addressLength) => new (ushort, ushort)[]
        {
            (address, addressLength), ((ushort)(address + 4), addressLength), (7, 2), (11, 2), (4, 1), (58, 2),
            (152, 8), (153, 8), (2, 8), (1, 8), (136, 1), (239, 1), (148, 8), (96, 0xFFFF), (372, 0xFFFF),
        };
        var decoder = new IpfixTestDecoder();
        decoder.Decode(transport.Messages[0]);
        Assert.Equal(Layout(8, 4), decoder.Templates[256]);
        Assert.Equal(new (ushort, ushort)[] { (27, 16), (28, 16) }, decoder.Templates[257].Take(2));
        Assert.Equal(Layout(8, 4).Skip(2), decoder.Templates[257].Skip(2));
    }

    [Theory]
    [InlineData(AccountingMode.LinkLayer)]
    [InlineData(AccountingMode.IP)]
    [InlineData(AccountingMode.Transport)]
    [InlineData(AccountingMode.Payload)]
    public void EachFlowGivesOneRecordPerDirectionWithItsValuesAndIpOctets(AccountingMode mode)
    {
        var flows = SampleFlows.Meter(new FlowOptions { AccountingMode = mode });
        var ipMode = SampleFlows.Meter(new FlowOptions { AccountingMode = AccountingMode.IP });
        Assert.Equal(33, flows.Count);
        var records = Export(flows, new CapturingTransport()).SelectMany(m => m.Records).ToList();
        Assert.Equal(flows.Count + flows.Count(f => f.dst2src_packets > 0), records.Count);
        Assert.Contains(flows, f => f.dst2src_packets == 0);   // the DHCP discover: one record only
        Assert.Contains(flows, f => f.ip_version == 6);

        int next = 0;
        for (int i = 0; i < flows.Count; i++)
        {
            var f = flows[i];
            var (s2dOctets, d2sOctets) = IpOctets(ipMode[i]);
            Assert.Equal((f.src_ip, f.src_port, f.dst_ip), (ipMode[i].src_ip, ipMode[i].src_port, ipMode[i].dst_ip));
            var forward = records[next++];
            Assert.Equal(f.ip_version == 6 ? 257 : 256, forward.TemplateId);
            ushort srcAddr = f.ip_version == 6 ? E.SourceIPv6Address : E.SourceIPv4Address;
            ushort dstAddr = f.ip_version == 6 ? E.DestinationIPv6Address : E.DestinationIPv4Address;
            Assert.Equal(f.src_ip, forward.Ip(srcAddr));
            Assert.Equal(f.dst_ip, forward.Ip(dstAddr));
            Assert.Equal((ulong)f.src_port, forward.U(E.SourceTransportPort));
            Assert.Equal((ulong)f.dst_port, forward.U(E.DestinationTransportPort));
            Assert.Equal((ulong)f.protocol, forward.U(E.ProtocolIdentifier));
            Assert.Equal((ulong)f.vlan_id, forward.U(E.VlanId));
            Assert.Equal(f.src2dst_first_seen_ms, forward.U(E.FlowStartMilliseconds));
            Assert.Equal(f.src2dst_last_seen_ms, forward.U(E.FlowEndMilliseconds));
            Assert.Equal(f.src2dst_packets, forward.U(E.PacketDeltaCount));
            Assert.Equal(s2dOctets, forward.U(E.OctetDeltaCount));
            Assert.Equal(1UL, forward.U(E.BiflowDirection));
            Assert.Equal((ulong)f.id, forward.U(E.FlowId));
            Assert.Equal(1UL, forward.U(E.FlowEndReason));   // all flushed at the end (expiration_id 0)
            Assert.Equal(f.application_name, forward.S(E.ApplicationName));
            Assert.Equal(f.application_category_name, forward.S(E.ApplicationCategoryName));
            if (f.dst2src_packets == 0) continue;
            var reverse = records[next++];
            Assert.Equal(f.dst_ip, reverse.Ip(srcAddr));
            Assert.Equal(f.src_ip, reverse.Ip(dstAddr));
            Assert.Equal((ulong)f.dst_port, reverse.U(E.SourceTransportPort));
            Assert.Equal((ulong)f.src_port, reverse.U(E.DestinationTransportPort));
            Assert.Equal(f.dst2src_first_seen_ms, reverse.U(E.FlowStartMilliseconds));
            Assert.Equal(f.dst2src_last_seen_ms, reverse.U(E.FlowEndMilliseconds));
            Assert.Equal(f.dst2src_packets, reverse.U(E.PacketDeltaCount));
            Assert.Equal(d2sOctets, reverse.U(E.OctetDeltaCount));
            Assert.Equal(2UL, reverse.U(E.BiflowDirection));
            Assert.Equal((ulong)f.id, reverse.U(E.FlowId));
        }
        Assert.Contains(records, r => r.S(E.ApplicationName) == "TLS.Google" || r.S(E.ApplicationName) == "DNS");
    }

    [Fact]
    public void OctetsOfAnIpv4FlowAreItsIpModeBytesAndOfAnIpv6FlowAddTheFixedHeader()
    {
        var linkLayer = SampleFlows.Meter(new FlowOptions(), rounds: 1);
        var records = Export(linkLayer, new CapturingTransport()).SelectMany(m => m.Records).ToList();
        var dns6 = records.First(r => r.TemplateId == 257);
        // One DNS query over IPv6: 14 Ethernet + 40 IPv6 + 8 UDP + 34 DNS on the wire; IPFIX counts 40 + 8 + 34.
        var flow6 = linkLayer.First(f => f.ip_version == 6);
        Assert.Equal(flow6.src2dst_bytes - 14, dns6.U(E.OctetDeltaCount));
    }

    [Fact]
    public void MessagesStayWithinTheLimitAndSequenceNumbersCountTheRecordsBefore()
    {
        var flows = SampleFlows.Meter(new FlowOptions { NDissections = 0 }, rounds: 60);
        var transport = new CapturingTransport(maxMessageLength: 1252);
        var messages = Export(flows, transport, NoTimer with { ObservationDomainId = 77 });
        Assert.True(messages.Count > 10);
        uint sequence = 0;
        for (int i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            Assert.InRange((int)m.Length, 1, 1252);
            Assert.Equal(77u, m.Domain);
            Assert.Equal(sequence, m.Sequence);
            Assert.InRange(m.ExportTime, (uint)DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            Assert.Equal(i == 0 ? 2 : 0, m.TemplateIds.Count);   // no refresh within 60 s
            Assert.NotEmpty(m.Records);
            sequence += (uint)m.Records.Count;
        }
        Assert.Equal(flows.Count + flows.Count(f => f.dst2src_packets > 0), (int)sequence);
        // Full messages really are full: none but the last leaves room for another (largest IPv6) record.
        Assert.All(messages.SkipLast(1), m => Assert.True(m.Length > 1252 - 200, $"message of {m.Length} bytes"));
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void TemplatesAreSentAgainAfterTheRefreshIntervalOverUdpOnly(bool reliable, bool resent)
    {
        var flows = SampleFlows.Meter(new FlowOptions { NDissections = 0 }, rounds: 1);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var transport = new CapturingTransport(reliable: reliable);
        using var exporter = new IpfixExporter(transport, NoTimer with { TemplateRefreshInterval = TimeSpan.FromSeconds(30) }, time);
        exporter.Export(flows[0]);
        exporter.Flush();
        time.Advance(TimeSpan.FromSeconds(29));
        exporter.Export(flows[1]);
        exporter.Flush();
        time.Advance(TimeSpan.FromSeconds(2));
        exporter.Export(flows[2]);
        exporter.Flush();
        var decoder = new IpfixTestDecoder();
        var messages = transport.Messages.Select(m => decoder.Decode(m)).ToList();
        Assert.Equal(3, messages.Count);
        Assert.Equal(2, messages[0].TemplateIds.Count);
        Assert.Empty(messages[1].TemplateIds);
        Assert.Equal(resent ? 2 : 0, messages[2].TemplateIds.Count);
    }

    [Fact]
    public void APartialMessageLeavesWithinTheDelayBoundWithoutMoreFlows()
    {
        var flows = SampleFlows.Meter(new FlowOptions { NDissections = 0 }, rounds: 1);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var transport = new CapturingTransport();
        using var exporter = new IpfixExporter(transport, new IpfixExporterOptions { MaxMessageDelay = TimeSpan.FromSeconds(1) }, time);
        exporter.Export(flows[0]);
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Empty(transport.Messages);
        time.Advance(TimeSpan.FromMilliseconds(600));
        var message = new IpfixTestDecoder().Decode(Assert.Single(transport.Messages));
        Assert.Equal(flows[0].dst2src_packets > 0 ? 2 : 1, message.Records.Count);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Single(transport.Messages);   // nothing new: no empty messages
    }

    [Fact]
    public void LongApplicationNamesAreCutToWholeCharactersWithin254Bytes()
    {
        var flows = SampleFlows.Meter(new FlowOptions(), rounds: 1).Take(3).ToList();
        flows[0].L7 = new L7Result { ApplicationName = new string('é', 200), CategoryName = "Web" };       // 2 bytes each
        flows[1].L7 = new L7Result { ApplicationName = string.Concat(Enumerable.Repeat("😀", 100)), CategoryName = "x" }; // 4 bytes each
        flows[2].L7 = new L7Result { ApplicationName = new string('a', 254), CategoryName = "" };
        var records = Export(flows, new CapturingTransport()).SelectMany(m => m.Records).Where(r => r.U(E.BiflowDirection) == 1).ToList();
        Assert.Equal(new string('é', 127), records[0].S(E.ApplicationName));
        Assert.Equal(string.Concat(Enumerable.Repeat("😀", 63)), records[1].S(E.ApplicationName));
        Assert.Equal(new string('a', 254), records[2].S(E.ApplicationName));
        Assert.Equal("Web", records[0].S(E.ApplicationCategoryName));
        Assert.Equal("", records[2].S(E.ApplicationCategoryName));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 5)]
    [InlineData(-1, 3)]
    [InlineData(7, 3)]
    public void FlowEndReasonFollowsExpirationId(int expirationId, int reason)
    {
        var flow = SampleFlows.Meter(new FlowOptions { NDissections = 0 }, rounds: 1)[0];
        flow.expiration_id = expirationId;
        var record = Export(new[] { flow }, new CapturingTransport()).Single().Records[0];
        Assert.Equal((ulong)reason, record.U(E.FlowEndReason));
    }

    [Fact]
    public void ActiveTimeoutFlowsAreReportedAsActiveTimeout()
    {
        var flows = SampleFlows.Meter(new FlowOptions { NDissections = 0, ActiveTimeoutSeconds = 1 });
        Assert.Contains(flows, f => f.expiration_id == 1);
        var records = Export(flows, new CapturingTransport()).SelectMany(m => m.Records).ToList();
        Assert.Equal(flows.Count(f => f.expiration_id == 1) + flows.Count(f => f.expiration_id == 1 && f.dst2src_packets > 0),
            records.Count(r => r.U(E.FlowEndReason) == 2));
    }

    [Fact]
    public void ExportingFlowsAllocatesNothing()
    {
        var flows = SampleFlows.Meter(new FlowOptions(), rounds: 4);
        var transport = new CapturingTransport { Keep = false };
        using var exporter = new IpfixExporter(transport, NoTimer);
        foreach (var f in flows) exporter.Export(f);   // warm up (and the flows' strings are theirs already)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 300; i++)
        {
            foreach (var f in flows) exporter.Export(f);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(transport.MessagesSent > 100);
        // Nothing per item: a few KB once (the runtime tiering up the loop on this thread) is not per item.
        Assert.True(allocated < 16_384, $"{allocated} bytes allocated");
    }
}
