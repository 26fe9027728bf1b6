using System.Management.Automation;
using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Plugins;

/// <summary>
/// about_NFStream_Plugins as a user reads it (Get-Help): it covers what issue 4 asks the topic to document, and
/// the code it shows runs and does what the text says.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class PluginHelpTopicTests
{
    private readonly PowerShellSession ps;

    public PluginHelpTopicTests(PowerShellFixture fixture) => ps = fixture.Session;

    private string[] TopicLines() =>
        string.Join("\n", ps.Run("Get-Help about_NFStream_Plugins").AssertSuccess().Output.Select(o => o.ToString()))
            .ReplaceLineEndings("\n").Split('\n');

    [Fact]
    public void GetHelpShowsTheTopicWithEverySubjectItMustDocument()
    {
        string text = string.Join("\n", TopicLines());
        Assert.StartsWith("TOPIC", text.TrimStart());
        foreach (string subject in new[]
                 {
                     "about_NFStream_Plugins", "New-NFPlugin",
                     "OnInit { param($packet, $flow) }", "OnUpdate { param($packet, $flow) }", "OnExpire { param($flow) }", "OnCleanup { }",
                     "$flow.udps.seen = 1", "$flow.udps.seen += 1", "udps.seen", "Export-NFFlowCsv",      // udps and the CSV
                     "$flow.expiration_id = -1",                                                          // custom expiry
                     "-Parameter", "variable",                                                            // parameters
                     "Ctrl+C", "PluginFailed", "script position",                                         // cleanup, errors
                     "IFlowPlugin", "FlowPlugin", "PayloadEntropy",                                       // compiled plugins
                     "DIFFERENCES FROM NFSTREAM", "hangs",
                 })
            Assert.Contains(subject, text);
        // Every NFPacket field the issue names is listed.
        foreach (string field in new[] { "time", "direction", "raw_size", "ip_size", "transport_size", "payload_size", "src_ip",
                     "dst_ip", "src_port", "dst_port", "protocol", "vlan_id", "syn", "fin", "ip_packet" })
            Assert.Contains(field, text);
    }

    [Fact]
    public void TheTopicsCodeRunsAndDoesWhatItSays()
    {
        var blocks = CodeBlocks(TopicLines()).Where(b => b.Contains("Get-NFFlow")).ToList();
        Assert.True(blocks.Count >= 4, "expected the custom expiration, parameter, built-in and counting examples; found:\n" + string.Join("\n--\n", blocks));

        string dir = RepositoryPaths.NewScratchDirectory();
        SampleCapture.Write(Path.Combine(dir, "capture.pcap"));
        const string Setup = """
            $ExecutionContext.SessionState.Path.SetLocation($dir) | Out-Null
            class TopicModel { [double] Predict([long] $packets) { return [math]::Min(1.0, $packets / 10.0) } }
            $model = [TopicModel]::new()
            """;
        foreach (string block in blocks)
        {
            var result = ps.Run(Setup + "\n" + block, new Dictionary<string, object?> { ["dir"] = dir });
            Assert.True(result.Terminating is null && result.Errors.Count == 0,
                $"The topic's example failed:\n{block}\n{result.Terminating?.Message}{string.Join("\n", result.Errors.Select(e => e.ToString()))}");
            if (block.Contains("expiration_id = -1"))
            {
                Assert.NotEmpty(result.Output);
                Assert.All(result.Output, f => Assert.InRange(Convert.ToInt64(f.Properties["bidirectional_packets"].Value), 1, 5));
                Assert.Contains(result.Output, f => Convert.ToInt32(f.Properties["expiration_id"].Value) == -1);
            }
            if (block.Contains("TrainBinaryClassifier"))
            {
                // The trained model, deployed, tells the sample's DNS flows from the others.
                Assert.NotEmpty(result.Output);
                Assert.All(result.Output.Select(o => o.ToString()), line =>
                    Assert.Matches(line.Contains("port 53:") ? @"DNS True \(\d+" : @"DNS False \(\d+", line));
            }
                        if (block.Contains("$Model.Predict"))
            {
                Assert.NotEmpty(result.Output);                 // the sample's TLS and SSH flows have over ten packets
                Assert.All(result.Output, f => Assert.True(((System.Collections.IDictionary)f.Properties["udps"].Value)["score"] is double score && score > 0.9));
            }
        }

        // The counting example wrote its udps value as a CSV column after NFStream's columns.
        string header = File.ReadLines(Path.Combine(dir, "flows.csv")).First();
        Assert.EndsWith(",udps.packets", header);
    }

    /// <summary>Runs of lines indented by eight or more spaces (the topic's code and nested prose).</summary>
    private static IEnumerable<string> CodeBlocks(string[] lines)
    {
        var block = new List<string>();
        foreach (string line in lines.Append(""))
        {
            if (line.StartsWith("        ") && line.Trim().Length > 0)
            {
                block.Add(line);
                continue;
            }
            if (block.Count > 0) yield return string.Join("\n", block.Select(l => l.Length >= 8 ? l[8..] : l.TrimStart()));
            block.Clear();
        }
    }
}
