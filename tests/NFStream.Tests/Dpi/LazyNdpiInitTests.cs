using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Dpi;
using NFStream.Engine.Flows;
using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Dpi;

/// <summary>nDPI's detection module is created when the first flow needs it, not when a run is set up.</summary>
public sealed class LazyNdpiInitTests
{
    [NdpiFact]
    public void TheModuleIsCreatedWhenTheFirstFlowBegins()
    {
        using var classifier = (NdpiClassifier)FlowClassifierFactory.Create(20);
        Assert.False(classifier.Initialized);
        var flow = new ClassifierDriver(classifier).Feed(Ipv4Packets.Udp("10.1.0.1", 53100, "192.0.2.53", 53,
            ApplicationPayloads.DnsQuery("lazy.example")));
        Assert.True(classifier.Initialized);
        Assert.Equal("lazy.example", flow.Finish().RequestedServerName);
    }

    [NdpiFact]
    public void ARunWhosePacketsNeverReachNdpiNeverInitialisesIt()
    {
        // A capture of frames the decoder ignores (an unsupported link type): nothing to classify.
        string path = Path.Combine(RepositoryPaths.NewScratchDirectory(), "ignored.pcap");
        using (var writer = PcapWriter.Create(path, linkType: 147))
            writer.WritePacket(1_000_000_000L, new byte[60]);
        var classifier = (NdpiClassifier)FlowClassifierFactory.Create(20);
        using (var extractor = new FlowExtractor(new FlowOptions(), classifier))
        using (var source = CaptureFile.Open(path))
        {
            while (extractor.Pump(source, 100)) { }
            extractor.Finish();
            Assert.False(extractor.TryTakeFlow(out _));
            Assert.False(classifier.Initialized);
        }
    }
}
