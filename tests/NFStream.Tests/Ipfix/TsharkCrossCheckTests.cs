using System.Diagnostics;
using NFStream.Engine;
using NFStream.Engine.Export.Ipfix;
using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Ipfix;

/// <summary>A second, independent IPFIX reader: Wireshark's cflow dissector (tshark) decodes the templates and records.</summary>
public sealed class TsharkCrossCheckTests
{
    public sealed class TsharkFactAttribute : FactAttribute
    {
        public TsharkFactAttribute()
        {
            if (!Live.TestNetwork.OnPath("tshark"))
                Skip = "Skipped: tshark is not installed (apt-get install tshark); the other IPFIX tests still read the records back.";
        }
    }

    [TsharkFact]
    public void TsharkDecodesEveryRecordWithTheFlowsValues()
    {
        var flows = SampleFlows.Meter(new FlowOptions(), rounds: 8);
        var transport = new CapturingTransport();
        using (var exporter = new IpfixExporter(transport, new IpfixExporterOptions { MaxMessageDelay = TimeSpan.Zero }))
        {
            foreach (var f in flows) exporter.Export(f);
            exporter.Close(TimeSpan.FromSeconds(1));
        }
        string pcap = Path.Combine(RepositoryPaths.NewScratchDirectory(), "ipfix.pcap");
        using (var writer = PcapWriter.Create(pcap, linkType: 1))
        {
            var factory = new PacketFactory();
            var exporterEnd = new SampleEndpoint(0x0200_0000_0001, "127.0.0.1", 40000);
            var collectorEnd = new SampleEndpoint(0x0200_0000_0002, "127.0.0.1", 4739);   // IPFIX's port: tshark decodes it as cflow
            long t = SampleCapture.StartNanoseconds;
            foreach (var message in transport.Messages) writer.WritePacket(t += 1_000_000, factory.Udp(exporterEnd, collectorEnd, message));
        }

        var lines = Tshark(pcap, "-T", "fields", "-E", "separator=;", "-E", "occurrence=a", "-E", "aggregator=|",
            "-e", "cflow.template_id", "-e", "cflow.packets", "-e", "cflow.octets", "-e", "cflow.flow_id", "-e", "cflow.biflow_direction",
            "-e", "cflow.appl_name", "-e", "cflow.application_category_name");
        Assert.Equal(transport.Messages.Count, lines.Count);
        Assert.Contains("256|257", lines[0].Split(';')[0]);
        string[] Column(int i) => lines.SelectMany(l => l.Split(';')[i].Split('|', StringSplitOptions.RemoveEmptyEntries)).ToArray();

        var expected = flows.SelectMany(f => f.dst2src_packets > 0
            ? new[] { (f, false), (f, true) }
            : new[] { (f, false) }).ToList();
        Assert.Equal(expected.Select(e => (e.f.id, e.Item2 ? 2 : 1).ToString()), Column(3).Zip(Column(4), (id, d) => (long.Parse(id), int.Parse(d)).ToString()));
        Assert.Equal(expected.Select(e => e.Item2 ? e.f.dst2src_packets : e.f.src2dst_packets), Column(1).Select(ulong.Parse));
        Assert.Equal(expected.Select(e => e.f.application_name), Column(5));
        Assert.Equal(expected.Select(e => e.f.application_category_name), Column(6));
        Assert.Equal(expected.Count, Column(2).Length);
        // Nothing tshark finds malformed.
        Assert.Empty(Tshark(pcap, "-Y", "_ws.malformed"));
    }

    private static List<string> Tshark(string pcap, params string[] arguments)
    {
        var start = new ProcessStartInfo("tshark") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-r");
        start.ArgumentList.Add(pcap);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string text = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60000), "tshark did not finish");
        Assert.True(process.ExitCode == 0, $"tshark failed: {stderr.Result}");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
