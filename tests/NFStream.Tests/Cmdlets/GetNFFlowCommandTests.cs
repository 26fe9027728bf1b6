using System.Management.Automation;
using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Cmdlets;

/// <summary>Get-NFFlow in a real PowerShell session: paths, the pipeline, bad input, options and stopping.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class GetNFFlowCommandTests
{
    private const int SampleFlows = 33;   // New-NFSampleCapture's default four rounds
    private readonly PowerShellSession ps;

    public GetNFFlowCommandTests(PowerShellFixture fixture) => ps = fixture.Session;

    private static string Sample(string directory, string name, int seed = 1, int rounds = 4)
    {
        string path = Path.Combine(directory, name);
        SampleCapture.Write(path, name.EndsWith("ng", StringComparison.Ordinal) ? SampleCaptureFormat.PcapNg : SampleCaptureFormat.Pcap, seed, rounds);
        return path;
    }

    private ScriptResult Run(string script, object? dir = null, object? path = null) =>
        ps.Run(script, new Dictionary<string, object?> { ["dir"] = dir, ["path"] = path });

    [Fact]
    public void WildcardPathsReadEveryMatchingFileAsItsOwnCapture()
    {
        string dir = RepositoryPaths.NewScratchDirectory();
        Sample(dir, "a.pcap");
        Sample(dir, "b.pcap", seed: 2);
        Sample(dir, "c.pcapng", seed: 3);
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "not matched");

        var flows = Run("Get-NFFlow -Path ([IO.Path]::Combine($dir, '*.pcap*')) -NDissections 0", dir).AssertSuccess().Output;

        Assert.Equal(3 * SampleFlows, flows.Count);
        Assert.Equal(3, flows.Count(f => Convert.ToInt64(f.Properties["id"].Value) == 0));   // ids restart per file
    }

    [Fact]
    public void LiteralPathTakesBracketsAsTypedWhilePathTreatsThemAsWildcards()
    {
        string dir = RepositoryPaths.NewScratchDirectory();
        string path = Sample(dir, "capture[1].pcap");

        Assert.Equal(SampleFlows, Run("Get-NFFlow -LiteralPath $path -NDissections 0", path: path).AssertSuccess().Output.Count);

        var wildcard = Run("Get-NFFlow -Path $path -NDissections 0", path: path);
        Assert.Empty(wildcard.Output);
        Assert.Equal("PathNotFound", Assert.Single(wildcard.Errors).FullyQualifiedErrorId.Split(',')[0]);
    }

    [Fact]
    public void FilesAndPSPathObjectsBindFromThePipeline()
    {
        string dir = RepositoryPaths.NewScratchDirectory();
        Sample(dir, "one.pcap");
        Sample(dir, "two.pcap", seed: 5);

        var byFileInfo = Run("[IO.DirectoryInfo]::new($dir).GetFiles('*.pcap') | Get-NFFlow -NDissections 0", dir).AssertSuccess();
        Assert.Equal(2 * SampleFlows, byFileInfo.Output.Count);

        var byPsPath = Run("""
            [IO.DirectoryInfo]::new($dir).GetFiles('*.pcap') |
                ForEach-Object { [pscustomobject]@{ PSPath = 'Microsoft.PowerShell.Core\FileSystem::' + $_.FullName } } |
                Get-NFFlow -NDissections 0
            """, dir).AssertSuccess();
        Assert.Equal(2 * SampleFlows, byPsPath.Output.Count);
    }

    [Fact]
    public void AMissingFileIsAnErrorAndTheOtherFilesAreStillRead()
    {
        string dir = RepositoryPaths.NewScratchDirectory();
        string good = Sample(dir, "good.pcap");

        var result = Run("Get-NFFlow -Path ([IO.Path]::Combine($dir, 'missing.pcap')), $path -NDissections 0", dir, good);

        Assert.Equal(SampleFlows, result.Output.Count);
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Null(result.Terminating);
    }

    [Fact]
    public void ACorruptCaptureReportsFileAndOffsetKeepsEarlierFlowsAndGoesOnToTheNextFile()
    {
        string dir = RepositoryPaths.NewScratchDirectory();
        string bad = Sample(dir, "bad.pcap");
        string good = Sample(dir, "good.pcap", seed: 9);
        byte[] bytes = File.ReadAllBytes(bad);
        int cut = bytes.Length / 2;
        // A record header claiming 3 GB, in the middle of the file: everything before it is good.
        int offset = RecordOffsetAfter(bytes, cut);
        BitConverter.GetBytes(0xC0000000u).CopyTo(bytes, offset + 8);
        File.WriteAllBytes(bad, bytes);

        var result = ps.Run("Get-NFFlow -LiteralPath $bad, $good -NDissections 0",
            new Dictionary<string, object?> { ["bad"] = bad, ["good"] = good });

        var error = Assert.Single(result.Errors);
        Assert.Equal(bad, error.TargetObject);
        Assert.Equal(ErrorCategory.ReadError, error.CategoryInfo.Category);
        Assert.Contains($"offset {offset}", error.Exception.Message);
        int fromBad = result.Output.Count - SampleFlows;
        Assert.InRange(fromBad, 1, SampleFlows);   // the flows before the fault were emitted
        Assert.Null(result.Terminating);
    }

    [Fact]
    public void AnUnsupportedLinkTypeIsAClearError()
    {
        string path = Path.Combine(RepositoryPaths.NewScratchDirectory(), "usb.pcap");
        using (var w = PcapWriter.Create(path, linkType: 220)) w.WritePacket(0, new byte[64]);

        var result = Run("Get-NFFlow -LiteralPath $path", path: path);

        var error = Assert.Single(result.Errors);
        Assert.Equal("UnsupportedLinkType", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("220", error.Exception.Message);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void MaxFlowsStopsAfterThatManyFlows()
    {
        string path = Sample(RepositoryPaths.NewScratchDirectory(), "s.pcap");
        Assert.Equal(5, Run("Get-NFFlow $path -MaxFlows 5 -NDissections 0", path: path).AssertSuccess().Output.Count);
    }

    [Fact]
    public void ABpfFilterKeepsOnlyMatchingPacketsAndABadOneIsATerminatingError()
    {
        string path = Sample(RepositoryPaths.NewScratchDirectory(), "s.pcap");
        var flows = Run("Get-NFFlow $path -BpfFilter 'udp port 53' -NDissections 0", path: path).AssertSuccess().Output;
        Assert.Equal(8, flows.Count);   // four DNS lookups over IPv4 and four over IPv6
        Assert.All(flows, f => Assert.Equal(53L, Convert.ToInt64(f.Properties["dst_port"].Value)));

        // A statement-terminating error: the script's error stream gets it, and no flow is emitted.
        var bad = Run("Get-NFFlow $path -BpfFilter 'this is not bpf'", path: path);
        Assert.Empty(bad.Output);
        Assert.StartsWith("BpfFilterInvalid", Assert.Single(bad.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void ContinuousTreatsSeveralFilesAsOneCapture()
    {
        string dir = RepositoryPaths.NewScratchDirectory();
        var factory = new PacketFactory();
        var a = new SampleEndpoint(1, "10.9.0.1", 1000);
        var b = new SampleEndpoint(2, "10.9.0.2", 2000);
        for (int part = 0; part < 2; part++)
        {
            using var w = PcapWriter.Create(Path.Combine(dir, $"rotated{part}.pcap"), 1);
            w.WritePacket(SampleCapture.StartNanoseconds + part * 1_000_000_000L, factory.Udp(a, b, new byte[8]));
            w.WritePacket(SampleCapture.StartNanoseconds + part * 1_000_000_000L + 1_000_000, factory.Udp(b, a, new byte[8]));
        }
        string script = "Get-NFFlow -Path ([IO.Path]::Combine($dir, 'rotated*.pcap')) -NDissections 0";

        Assert.Equal(2, Run(script, dir).AssertSuccess().Output.Count);
        var one = Assert.Single(Run(script + " -Continuous", dir).AssertSuccess().Output);
        Assert.Equal(4UL, Convert.ToUInt64(one.Properties["bidirectional_packets"].Value));
    }

    [Fact]
    public void StatisticsVariableAndVerboseReportThePacketAccounting()
    {
        string path = Sample(RepositoryPaths.NewScratchDirectory(), "s.pcap");
        var result = Run("Get-NFFlow $path -NDissections 0 -StatisticsVariable stats -Verbose | Out-Null; $stats", path: path).AssertSuccess();
        dynamic stats = Assert.Single(result.Output);
        long read = stats.PacketsRead;
        Assert.Equal(read, (long)stats.PacketsMetered + (long)stats.PacketsIgnored);
        Assert.Equal(SampleFlows, (long)stats.FlowsEmitted);
        Assert.Contains(result.Verbose, v => v.Contains($"{read}") && v.Contains("flows", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void WhereObjectSelectsFlowsByNFStreamColumnNames()
    {
        string path = Sample(RepositoryPaths.NewScratchDirectory(), "s.pcap");
        var tls = Run("Get-NFFlow $path | Where-Object application_name -like 'TLS*'", path: path).AssertSuccess().Output;
        Assert.Equal(4, tls.Count);
        Assert.All(tls, f => Assert.Equal("www.google.com", (string)f.Properties["requested_server_name"].Value));
    }

    [Fact]
    public void StoppingThePipelineEndsALongReadPromptly()
    {
        string path = Sample(RepositoryPaths.NewScratchDirectory(), "big.pcap", rounds: 4000);
        using var runspace = System.Management.Automation.Runspaces.RunspaceFactory.CreateRunspace(
            System.Management.Automation.Runspaces.InitialSessionState.CreateDefault2());
        runspace.Open();
        using var shell = PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddScript($"Import-Module '{RepositoryPaths.ModuleManifest}'; Get-NFFlow -LiteralPath '{path}' -NDissections 0");
        var output = new PSDataCollection<PSObject>();
        var firstFlow = new ManualResetEventSlim();
        output.DataAdded += (_, _) => firstFlow.Set();
        var running = shell.BeginInvoke<PSObject, PSObject>(null, output);
        Assert.True(firstFlow.Wait(TimeSpan.FromSeconds(60)), "no flow within 60 s");

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        shell.Stop();
        stopwatch.Stop();

        Assert.True(running.IsCompleted);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"Stop took {stopwatch.Elapsed}");
        Assert.InRange(output.Count, 1, 4000 * 9 - 1);
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
    }

    [Fact]
    public void ALongReadReportsProgressWhileNoFlowHasComeOutYet()
    {
        // The capture arrives through a FIFO, so the read lasts as long as the writer wants: it writes the first
        // half and waits for a progress report. Every flow of the capture outlives it, so none comes out before
        // the end: progress must not wait for flows.
        string capture = Meters.MeterRuns.Generated(16 << 20, seed: 3, sessionsPerSecond: 3000);
        string fifo = Path.Combine(RepositoryPaths.NewScratchDirectory(), "capture.fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
        using var runspace = System.Management.Automation.Runspaces.RunspaceFactory.CreateRunspace(
            System.Management.Automation.Runspaces.InitialSessionState.CreateDefault2());
        runspace.Open();
        using var shell = PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddScript($"Import-Module '{RepositoryPaths.ModuleManifest}'; Get-NFFlow -LiteralPath '{fifo}' -NDissections 0");
        var output = new PSDataCollection<PSObject>();
        var reported = new List<(ProgressRecord Record, int FlowsBefore)>();
        using var firstReport = new ManualResetEventSlim();
        shell.Streams.Progress.DataAdded += (_, e) =>
        {
            var record = shell.Streams.Progress[e.Index];
            lock (reported) reported.Add((record, output.Count));
            if (record.RecordType == ProgressRecordType.Processing) firstReport.Set();
        };
        var running = shell.BeginInvoke<PSObject, PSObject>(null, output);

        byte[] bytes = File.ReadAllBytes(capture);
        bool sawReport;
        using (var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write))
        {
            writer.Write(bytes, 0, bytes.Length / 2);
            writer.Flush();
            sawReport = firstReport.Wait(TimeSpan.FromSeconds(30));
            writer.Write(bytes, bytes.Length / 2, bytes.Length - bytes.Length / 2);
        }
        shell.EndInvoke(running);

        Assert.True(sawReport, "no progress while the read waited for the second half");
        Assert.Empty(shell.Streams.Error);
        Assert.NotEmpty(output);
        var first = reported.First(r => r.Record.RecordType == ProgressRecordType.Processing);
        Assert.Equal(0, first.FlowsBefore);
        Assert.Equal(-1, first.Record.PercentComplete);   // a pipe has no length: what was read, no percentage
        Assert.Matches(@": \d+ MiB read$", first.Record.StatusDescription);
        Assert.Equal(ProgressRecordType.Completed, reported[^1].Record.RecordType);
    }

    /// <summary>The offset of the first pcap record header at or after <paramref name="from"/>.</summary>
    private static int RecordOffsetAfter(byte[] pcap, int from)
    {
        int offset = 24;
        while (offset < from) offset += 16 + BitConverter.ToInt32(pcap, offset + 8);
        return offset;
    }
}
