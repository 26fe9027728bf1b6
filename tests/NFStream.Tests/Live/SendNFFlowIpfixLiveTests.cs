using System.Management.Automation;
using NFStream.Tests.Ipfix;

namespace NFStream.Tests.Live;

/// <summary>A live capture as an IPFIX probe: Start-NFCapture | Send-NFFlowIpfix into nfdump's nfcapd.</summary>
[Collection(LiveCollection.Name)]
public sealed class SendNFFlowIpfixLiveTests : IDisposable
{
    private readonly CaptureSession session = new();

    private static long Long(PSObject flow, string column) => Convert.ToInt64(flow.Properties[column].Value);

    private static string Text(PSObject flow, string column) => Convert.ToString(flow.Properties[column].Value)!;

    [LiveNfcapdFact]
    public void NfcapdStoresExactlyTheFlowsAndCountersOfALiveCapture()
    {
        using var net = new TestNetwork();
        using var collector = new Nfcapd();
        using var capture = session.Begin(
            $"Start-NFCapture -Interface {net.Interface} -Duration 4 -NDissections 0 -Verbose | Send-NFFlowIpfix 127.0.0.1:{collector.Port} -PassThru");
        net.Exchange(40101, 50101, 30, payload: 32);
        net.Exchange(40102, 50102, 7, payload: 400);
        var flows = capture.End(TimeSpan.FromSeconds(30)).AssertSuccess().Output;
        var stored = collector.StopAndRead();

        Assert.Equal(2, flows.Count);
        Assert.Equal(4, stored.Count);   // one record per direction
        foreach (var flow in flows)
        {
            string src = Text(flow, "src_ip"), dst = Text(flow, "dst_ip");
            int sport = (int)Long(flow, "src_port"), dport = (int)Long(flow, "dst_port");
            int payload = dport == 50101 ? 32 : 400;
            var forward = Assert.Single(stored, r => r.Source == src && r.SourcePort == sport && r.Destination == dst && r.DestinationPort == dport);
            var reverse = Assert.Single(stored, r => r.Source == dst && r.SourcePort == dport && r.Destination == src && r.DestinationPort == sport);
            Assert.Equal(17, forward.Protocol);
            Assert.Equal(Long(flow, "src2dst_packets"), forward.Packets);
            Assert.Equal(Long(flow, "dst2src_packets"), reverse.Packets);
            // IPFIX octets: IPv4 header + UDP header + payload, where the flow's bytes count the Ethernet frame.
            Assert.Equal(forward.Packets * (20 + 8 + payload), forward.Octets);
            Assert.Equal(Long(flow, "src2dst_bytes") - 14 * forward.Packets, forward.Octets);
            Assert.Equal(Long(flow, "dst2src_bytes") - 14 * reverse.Packets, reverse.Octets);
        }
        Assert.Equal(new long[] { 7, 30 }, stored.Where(r => r.SourcePort is 40101 or 40102).Select(r => r.Packets).Order());
    }

    public void Dispose() => session.Dispose();
}
