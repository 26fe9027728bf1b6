using System.Management.Automation;
using NFStream.Engine;
using NFStream.Engine.Plugins;
using NFStream.Engine.Samples;
using NFStream.Tests.Conformance;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Plugins;

/// <summary>Scriptblock and compiled plugins through Get-NFFlow -Plugin, with NFStream's call order and udps.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class PluginTests
{
    private const string Counter = """
        $count = New-NFPlugin -Name count `
            -OnInit   { param($packet, $flow) $flow.udps.seen = 1 } `
            -OnUpdate { param($packet, $flow) $flow.udps.seen += 1 }
        """;

    private readonly PowerShellSession ps;
    private readonly string dir = RepositoryPaths.NewScratchDirectory();
    private readonly string sample;

    public PluginTests(PowerShellFixture fixture)
    {
        ps = fixture.Session;
        sample = Path.Combine(dir, "sample.pcap");
        SampleCapture.Write(sample);
    }

    private ScriptResult Run(string script, string? capture = null, Dictionary<string, object?>? more = null)
    {
        var variables = new Dictionary<string, object?> { ["sample"] = capture ?? sample, ["dir"] = dir };
        if (more is not null) foreach (var (k, v) in more) variables[k] = v;
        return ps.Run(script, variables);
    }

    private static long Long(PSObject o, string name) => Convert.ToInt64(o.Properties[name].Value);

    private static object? Udps(PSObject flow, string name) =>
        ((System.Collections.IDictionary)flow.Properties["udps"].Value)[name];

    [Fact]
    public void ACountingPluginsUdpsValueEqualsBidirectionalPacketsOnEveryFlow()
    {
        var flows = Run(Counter + "\nGet-NFFlow $sample -Plugin $count").AssertSuccess().Output;
        Assert.Equal(33, flows.Count);
        Assert.All(flows, f => Assert.Equal(Long(f, "bidirectional_packets"), Convert.ToInt64(Udps(f, "seen"))));
    }

    [CorpusFact]
    public void ACountingPluginMatchesBidirectionalPacketsOnACorpusCapture()
    {
        string capture = Path.Combine(RepositoryPaths.Corpus!, "pcaps", "443-chrome.pcap");
        var flows = Run(Counter + "\nGet-NFFlow -LiteralPath $sample -Plugin $count", capture).AssertSuccess().Output;
        Assert.NotEmpty(flows);
        Assert.All(flows, f => Assert.Equal(Long(f, "bidirectional_packets"), Convert.ToInt64(Udps(f, "seen"))));
    }

    [Fact]
    public void CallbacksRunInNFStreamsOrderAndSeeTheCountersIncludingThePacket()
    {
        var result = Run("""
            $log = [System.Collections.Generic.List[string]]::new()
            $trace = @{
                Name = 'trace'
                OnInit = { param($packet, $flow) $log.Add("init $($flow.bidirectional_packets) $($packet.direction)") }
                OnUpdate = { param($packet, $flow) $log.Add("update $($flow.bidirectional_packets) $($packet.direction)") }
                OnExpire = { param($flow) $log.Add("expire $($flow.bidirectional_packets) $($flow.id) $($flow.application_name)") }
                OnCleanup = { $log.Add('cleanup') }
            }
            $null = Get-NFFlow $sample -Plugin $trace -MaxFlows 1 -BpfFilter 'udp port 53 and ip'
            $log
            """).AssertSuccess();
        var log = result.Output.Select(o => o.ToString()).ToList();
        // The first DNS flow: query (src2dst) creates it, the answer (dst2src) updates it; four lookups, one per round.
        Assert.Equal("init 1 0", log[0]);
        Assert.Equal("update 2 1", log[1]);
        Assert.Contains("expire 2 0 DNS", log);
        Assert.Equal("cleanup", log[^1]);
        Assert.Single(log, l => l == "cleanup");
        Assert.True(log.IndexOf("update 2 1") < log.IndexOf("expire 2 0 DNS"));
    }

    [Fact]
    public void CustomExpirationSplitsFlowsAtFivePacketsAndKeepsEveryPacket()
    {
        var result = Run("""
            $cut = @{ Name = 'cut'; OnUpdate = { param($packet, $flow) if ($flow.bidirectional_packets -ge 5) { $flow.expiration_id = -1 } } }
            $plain = @(Get-NFFlow $sample -NDissections 0)
            $split = @(Get-NFFlow $sample -NDissections 0 -Plugin $cut)
            [pscustomobject]@{ Plain = $plain; Split = $split }
            """).AssertSuccess();
        var plain = (object[])result.Output[0].Properties["Plain"].Value;
        var split = ((object[])result.Output[0].Properties["Split"].Value).Cast<PSObject>().ToList();
        long total = plain.Cast<PSObject>().Sum(f => Long(f, "bidirectional_packets"));
        Assert.Equal(total, split.Sum(f => Long(f, "bidirectional_packets")));
        Assert.All(split, f => Assert.InRange(Long(f, "bidirectional_packets"), 1, 5));
        Assert.Contains(split, f => Long(f, "expiration_id") == -1 && Long(f, "bidirectional_packets") == 5);
        Assert.True(split.Count > plain.Length);
    }

    [Fact]
    public void AThrowingPluginStopsWithAnErrorRecordAfterTheFlowsAlreadyEmitted()
    {
        var result = Run("""
            $boom = @{ Name = 'boom'; OnExpire = { param($flow) if ($flow.id -eq 3) { throw 'kaput' } } }
            Get-NFFlow $sample -Plugin $boom
            """);
        Assert.Equal(3, result.Output.Count);    // flows 0, 1 and 2 were emitted before the failure
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("PluginFailed", error.FullyQualifiedErrorId);
        Assert.Contains("'boom'", error.ErrorDetails.Message);
        Assert.Contains("OnExpire", error.ErrorDetails.Message);
        Assert.Contains("flow 3", error.ErrorDetails.Message);
        Assert.Contains("kaput", error.ErrorDetails.Message);
        Assert.Contains("throw 'kaput'", error.ErrorDetails.Message);   // the script position
    }

    [Fact]
    public void UdpsValuesBecomeCsvColumnsInCreationOrder()
    {
        string csv = Path.Combine(dir, "udps.csv");
        Run("""
            $p = @{ Name = 'two'; OnInit = { param($packet, $flow) $flow.udps.zeta = 'z'; $flow.udps.alpha = $packet.protocol } }
            Get-NFFlow $sample -Plugin $p -MaxFlows 3 | Export-NFFlowCsv -LiteralPath $csv
            """, more: new() { ["csv"] = csv }).AssertSuccess();
        var table = CsvTable.Read(csv);
        Assert.Equal(new[] { "udps.zeta", "udps.alpha" }, table.Header[^2..]);
        Assert.Equal("17", table.Rows[0][^1]);
        Assert.Equal("z", table.Rows[0][^2]);
    }

    [Fact]
    public void AModelInParameterScoresEachFlowOnExpire()
    {
        var flows = Run("""
            class ThresholdModel {
                [int] $Threshold = 5
                [int] Predict([long] $packets) { return [int]($packets -gt $this.Threshold) }
            }
            $model = [ThresholdModel]::new()
            $scorer = New-NFPlugin -Name scorer -Parameter @{ Model = $model } -OnExpire {
                param($flow)
                $flow.udps.prediction = $Model.Predict($flow.bidirectional_packets)
            }
            Get-NFFlow $sample -Plugin $scorer
            """).AssertSuccess().Output;
        Assert.All(flows, f => Assert.Equal(Long(f, "bidirectional_packets") > 5 ? 1 : 0, Convert.ToInt32(Udps(f, "prediction"))));
        Assert.Contains(flows, f => Convert.ToInt32(Udps(f, "prediction")) == 1);
    }

    [Fact]
    public void CallerVariablesAreVisibleInCallbacks()
    {
        var result = Run("""
            $prefix = 'seen-by'
            $p = @{ Name = 'v'; OnExpire = { param($flow) $flow.udps.tag = "$prefix-plugin-$($flow.id)" } }
            Get-NFFlow $sample -Plugin $p -MaxFlows 2
            """).AssertSuccess();
        Assert.Equal(new object?[] { "seen-by-plugin-0", "seen-by-plugin-1" }, result.Output.Select(f => Udps(f, "tag")));
    }

    [Fact]
    public void CompiledPluginsByObjectAndBuiltInName()
    {
        var counter = new CountingPlugin();
        var flows = Run("Get-NFFlow $sample -Plugin $compiled, 'PayloadEntropy'", more: new() { ["compiled"] = counter }).AssertSuccess().Output;
        Assert.Equal(33, counter.Expired);
        Assert.Equal(1, counter.CleanedUp);
        var tls = flows.First(f => (string)f.Properties["application_name"].Value == "TLS.Google");
        Assert.InRange(Convert.ToDouble(Udps(tls, "dst2src_payload_entropy")), 6.0, 8.0);   // pseudo-random records
        Assert.All(flows, f => Assert.Equal(Long(f, "bidirectional_packets"), Convert.ToInt64(Udps(f, "compiled_packets"))));
    }

    [Fact]
    public void BadPluginArgumentsAreRejectedClearly()
    {
        var unknownKey = Run("Get-NFFlow $sample -Plugin @{ Name = 'x'; OnUpdat = { } }");
        Assert.Contains("OnUpdat", (unknownKey.Terminating ?? (Exception)unknownKey.Errors.Single().Exception).Message);
        var unknownName = Run("Get-NFFlow $sample -Plugin 'NoSuchPlugin'");
        Assert.Contains("PayloadEntropy", (unknownName.Terminating ?? (Exception)unknownName.Errors.Single().Exception).Message);
    }

    [Fact]
    public void OnCleanupRunsOnceAfterTheRunIsStopped()
    {
        string big = Path.Combine(dir, "big.pcap");
        SampleCapture.Write(big, rounds: 3000);
        var log = new List<string>();
        using var runspace = System.Management.Automation.Runspaces.RunspaceFactory.CreateRunspace(
            System.Management.Automation.Runspaces.InitialSessionState.CreateDefault2());
        runspace.Open();
        runspace.SessionStateProxy.SetVariable("log", log);
        runspace.SessionStateProxy.SetVariable("big", big);
        using var shell = PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddScript($$"""
            Import-Module '{{RepositoryPaths.ModuleManifest}}'
            $p = @{ Name = 'c'; OnExpire = { param($flow) }; OnCleanup = { $log.Add('cleanup') } }
            Get-NFFlow -LiteralPath $big -NDissections 0 -Plugin $p
            """);
        var output = new PSDataCollection<PSObject>();
        var first = new ManualResetEventSlim();
        output.DataAdded += (_, _) => first.Set();
        var running = shell.BeginInvoke<PSObject, PSObject>(null, output);
        Assert.True(first.Wait(TimeSpan.FromSeconds(60)));
        shell.Stop();
        Assert.True(running.IsCompleted);
        Assert.Equal(new[] { "cleanup" }, log);
    }

    /// <summary>A compiled plugin written against the engine's contract.</summary>
    private sealed class CountingPlugin : FlowPlugin
    {
        public int Expired, CleanedUp;

        public override void OnInit(NFPacket packet, NFlow flow) => flow.udps["compiled_packets"] = 1L;

        public override void OnUpdate(NFPacket packet, NFlow flow) => flow.udps["compiled_packets"] = (long)flow.udps["compiled_packets"]! + 1;

        public override void OnExpire(NFlow flow) => Expired++;

        public override void OnCleanup() => CleanedUp++;
    }
}
