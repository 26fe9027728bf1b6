using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Flows;
using NFStream.Engine.Plugins;
using NFStream.Engine.Plugins.Onnx;
using NFStream.Engine.Samples;
using System.Management.Automation;
using NFStream.Tests.Live;

namespace NFStream.Tests.Plugins;

/// <summary>An ONNX plugin on live traffic: a veth pair in a network namespace, as the other live tests use.</summary>
[Collection(LiveCollection.Name)]
public sealed class OnnxLiveCaptureTests
{
    [LiveFact]
    public void AnOnnxModelScoresLiveFlowsAtExpiryAndAfterPackets()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nfstream-onnx-live-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dir);
        try
        {
            string linear = Path.Combine(dir, "linear.onnx"), early = Path.Combine(dir, "early.onnx");
            OnnxModelWriter.WriteLinear(linear, new[] { 1000f, 1f }, 0.5f);
            OnnxModelWriter.WriteLinear(early, new[] { 1f, 1f, 1f, 1f }, 0f);
            var atExpiry = new OnnxModelPlugin("score", linear, new[] { "src2dst_packets", "dst2src_bytes" });
            var afterFour = new OnnxModelPlugin("first4", early, new[] { "splt_ps" }, OnnxScoreTime.AfterPackets, afterPackets: 4);

            using var net = new TestNetwork();
            using var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = net.Interface, Filter = "udp" });
            using var extractor = new FlowExtractor(new FlowOptions { NDissections = 0, SpltAnalysis = 4, IdleTimeoutSeconds = 3600 },
                classifier: null, plugins: new IFlowPlugin[] { afterFour, atExpiry });
            capture.Start();
            net.Exchange(41101, 51101, 20, payload: 40);
            net.Exchange(41102, 51102, 1, payload: 10);
            Thread.Sleep(300);
            capture.Stop();
            var flows = new List<NFlow>();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!capture.Completed)
            {
                Assert.True(DateTime.UtcNow < deadline, "the capture did not complete in time");
                while (extractor.Pump(capture, 4096)) { }
                while (extractor.TryTakeFlow(out var flow)) flows.Add(flow);
                capture.WaitForPackets(50, CancellationToken.None);
            }
            extractor.Finish();
            while (extractor.TryTakeFlow(out var flow)) flows.Add(flow);

            Assert.Equal(2, flows.Count);
            foreach (var flow in flows)
                Assert.Equal(1000.0 * flow.src2dst_packets + flow.dst2src_bytes + 0.5, (double)flow.udps["score"]!);
            var big = Assert.Single(flows, f => f.src_port == 41101 || f.dst_port == 41101);
            Assert.Equal(40UL, big.BiPackets);
            Assert.Equal((double)big.splt_ps.Sum(), (double)big.udps["first4"]!);
            var small = Assert.Single(flows, f => f.src_port == 41102 || f.dst_port == 41102);
            Assert.False(small.udps.Contains("first4"));   // two packets: never reached four
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [LiveFact]
    public void StartNFCaptureScoresEveryLiveFlowWithAnOnnxModel()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nfstream-onnx-live-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dir);
        try
        {
            string model = Path.Combine(dir, "linear.onnx");
            OnnxModelWriter.WriteLinear(model, new[] { 2f, 0.5f }, 1f);
            using var session = new CaptureSession();
            using var net = new TestNetwork();
            using var capture = session.Begin(
                $"$m = New-NFPlugin -Name score -OnnxModel '{model}' -Feature bidirectional_packets, bidirectional_bytes; " +
                $"Start-NFCapture -Interface {net.Interface} -BpfFilter udp -Duration 3 -NDissections 0 -Plugin $m -Verbose");
            net.Exchange(40101, 50101, 6);
            net.Exchange(40102, 50102, 3);
            var output = capture.End(TimeSpan.FromSeconds(20)).AssertSuccess().Output;

            Assert.Equal(2, output.Count);
            foreach (PSObject flow in output)
            {
                double packets = Convert.ToDouble(flow.Properties["bidirectional_packets"].Value);
                double bytes = Convert.ToDouble(flow.Properties["bidirectional_bytes"].Value);
                Assert.Equal(2 * packets + 0.5 * bytes + 1, (double)((System.Collections.IDictionary)flow.Properties["udps"].Value)["score"]!);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
