using NFStream.Tests.Hosting;
using Xunit.Abstractions;

namespace NFStream.Tests.Cmdlets;

/// <summary>New-NFSampleCapture writes the project's own sample, and Get-NFFlow labels its flows.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class NewNFSampleCaptureTests
{
    private readonly PowerShellFixture fixture;
    private readonly ITestOutputHelper output;

    public NewNFSampleCaptureTests(PowerShellFixture fixture, ITestOutputHelper output)
    {
        this.fixture = fixture;
        this.output = output;
    }

    [Theory]
    [InlineData("Pcap")]
    [InlineData("PcapNg")]
    public void SampleGivesLabelledFlowsInBothFormats(string format)
    {
        string path = Path.Combine(RepositoryPaths.NewScratchDirectory(), "sample.cap");
        var result = fixture.Session.Run(
            "New-NFSampleCapture -LiteralPath $path -Format $format -PassThru | ForEach-Object { Get-NFFlow -LiteralPath $_.FullName }",
            new Dictionary<string, object?> { ["path"] = path, ["format"] = format }).AssertSuccess();
        var flows = result.Output.Select(o => (dynamic)o).ToList();
        foreach (var f in flows)
            output.WriteLine($"{f.id} {f.src_ip}:{f.src_port} -> {f.dst_ip}:{f.dst_port} p{f.protocol} v{f.vlan_id} pk{f.bidirectional_packets} {f.application_name} sni={f.requested_server_name} ua={f.user_agent} ct={f.content_type} fp={f.client_fingerprint}");
        var names = flows.Select(f => (string)f.application_name).ToList();
        Assert.Contains("DNS", names);
        Assert.Contains("HTTP", names);
        Assert.Contains(names, n => n.StartsWith("TLS", StringComparison.Ordinal));
        Assert.Contains("SSH", names);
        Assert.Contains("ICMP", names);
        Assert.Contains("DHCP", names);
        Assert.Contains(flows, f => (int)f.vlan_id == 100);
        Assert.Contains(flows, f => (int)f.ip_version == 6 && (string)f.requested_server_name == "ipv6.example.org");
        Assert.Contains(flows, f => (string)f.requested_server_name == "www.google.com" && ((string)f.client_fingerprint).Length == 32);
        Assert.Contains(flows, f => (string)f.user_agent == "Mozilla/5.0 (NFStream sample)" && (string)f.content_type == "text/html");
    }
}
