using System.Buffers.Binary;
using System.Management.Automation;
using NFStream.Engine;
using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Reliability;

/// <summary>
/// Every way a capture can be bad, through Get-NFFlow: one ErrorRecord whose target is the file and whose
/// message names the file and the byte offset where the damage starts, and the flows before the fault emitted
/// exactly as if the file ended there (compared with a clean copy cut at that offset). Covers pcapng blocks with
/// wrong lengths, absurd record and block lengths, broken section headers, garbage tails and truncation.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class BadInputTests
{
    private const int SampleFlows = 33;
    private readonly PowerShellSession ps;
    private readonly string dir = RepositoryPaths.NewScratchDirectory();

    public BadInputTests(PowerShellFixture fixture) => ps = fixture.Session;

    private static byte[] Sample(SampleCaptureFormat format)
    {
        string path = Path.Combine(RepositoryPaths.NewScratchDirectory(), "good");
        SampleCapture.Write(path, format);
        return File.ReadAllBytes(path);
    }

    /// <summary>Offsets of the pcap records (after the 24-byte file header).</summary>
    private static List<int> PcapRecords(byte[] pcap)
    {
        var offsets = new List<int>();
        for (int at = 24; at < pcap.Length; at += 16 + BinaryPrimitives.ReadInt32LittleEndian(pcap.AsSpan(at + 8)))
            offsets.Add(at);
        return offsets;
    }

    /// <summary>Offsets and types of the pcapng blocks (the sample is little-endian).</summary>
    private static List<(int Offset, uint Type)> PcapNgBlocks(byte[] ng)
    {
        var blocks = new List<(int, uint)>();
        for (int at = 0; at < ng.Length; at += BinaryPrimitives.ReadInt32LittleEndian(ng.AsSpan(at + 4)))
            blocks.Add((at, BinaryPrimitives.ReadUInt32LittleEndian(ng.AsSpan(at))));
        return blocks;
    }

    private static int MiddlePacketBlock(byte[] ng)
    {
        var packets = PcapNgBlocks(ng).Where(b => b.Type == 6).ToList();
        return packets[packets.Count / 2].Offset;
    }

    private static int MiddleRecord(byte[] pcap)
    {
        var records = PcapRecords(pcap);
        return records[records.Count / 2];
    }

    private sealed record Run(List<string> Flows, List<ErrorRecord> Errors);

    private Run GetFlows(string name, byte[] bytes)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        var result = ps.Run("Get-NFFlow -LiteralPath $path -NDissections 0", new Dictionary<string, object?> { ["path"] = path });
        Assert.Null(result.Terminating);
        var flows = result.Output.Select(o => (NFStream.Engine.NFlow)o.BaseObject)
            .Select(f => $"{f.id} {f.expiration_id} {f.src_ip}:{f.src_port} {f.dst_ip}:{f.dst_port} {f.protocol} {f.bidirectional_packets} {f.bidirectional_bytes}")
            .ToList();
        return new Run(flows, result.Errors);
    }

    /// <summary>
    /// Reads <paramref name="bad"/> and checks the one error (file, offset, problem) and that the flows equal
    /// those of the file's first <paramref name="offset"/> bytes, read cleanly.
    /// </summary>
    private void AssertFaultAt(string name, byte[] bad, long offset, string problem)
    {
        var run = GetFlows(name, bad);
        string path = Path.Combine(dir, name);
        var error = Assert.Single(run.Errors);
        Assert.Equal(path, error.TargetObject);
        Assert.Contains(path, error.Exception.Message);
        Assert.Contains($"(at byte offset {offset})", error.Exception.Message);
        Assert.Contains(problem, error.Exception.Message);
        if (offset == 0)
        {
            Assert.Equal(("CaptureFormatInvalid", ErrorCategory.InvalidData), (error.FullyQualifiedErrorId.Split(',')[0], error.CategoryInfo.Category));
            Assert.Empty(run.Flows);
            return;
        }
        Assert.Equal(("CaptureCorrupt", ErrorCategory.ReadError), (error.FullyQualifiedErrorId.Split(',')[0], error.CategoryInfo.Category));
        Assert.Contains("were emitted", error.ErrorDetails.RecommendedAction);

        var clean = GetFlows("prefix-" + name, bad.AsSpan(0, (int)offset).ToArray());
        Assert.Empty(clean.Errors);
        Assert.NotEmpty(clean.Flows);
        Assert.Equal(clean.Flows, run.Flows);
    }

    [Fact]
    public void APcapNgBlockWhoseTrailingLengthDiffersFromItsLeadingLength()
    {
        byte[] ng = Sample(SampleCaptureFormat.PcapNg);
        int at = MiddlePacketBlock(ng);
        int length = BinaryPrimitives.ReadInt32LittleEndian(ng.AsSpan(at + 4));
        BinaryPrimitives.WriteInt32LittleEndian(ng.AsSpan(at + length - 4), length + 4);
        AssertFaultAt("trailing.pcapng", ng, at, "mismatched leading and trailing lengths");
    }

    [Theory]
    [InlineData(8u, "invalid length 8")]                       // shorter than a block header
    [InlineData(70u, "invalid length 70")]                     // not a multiple of 4
    [InlineData(0x7FFFFFF0u, "invalid length 2147483632")]     // absurd: beyond libpcap's 16 MiB bound
    [InlineData(0x00FFFFF0u, "the capture is truncated")]      // plausible, but longer than the file
    public void APcapNgBlockWithAWrongTotalLength(uint length, string problem)
    {
        byte[] ng = Sample(SampleCaptureFormat.PcapNg);
        int at = MiddlePacketBlock(ng);
        BinaryPrimitives.WriteUInt32LittleEndian(ng.AsSpan(at + 4), length);
        AssertFaultAt($"length-{length}.pcapng", ng, at, problem);
    }

    [Fact]
    public void APcapNgPacketBlockClaimingMoreCapturedBytesThanItHolds()
    {
        byte[] ng = Sample(SampleCaptureFormat.PcapNg);
        int at = MiddlePacketBlock(ng);
        BinaryPrimitives.WriteUInt32LittleEndian(ng.AsSpan(at + 8 + 12), 0x7FFFFFFF);   // EPB captured length
        AssertFaultAt("caplen.pcapng", ng, at, "claims 2147483647 captured bytes");
    }

    [Fact]
    public void APcapNgPacketOfAnInterfaceThatWasNeverDescribed()
    {
        byte[] ng = Sample(SampleCaptureFormat.PcapNg);
        int at = MiddlePacketBlock(ng);
        BinaryPrimitives.WriteUInt32LittleEndian(ng.AsSpan(at + 8), 7);                  // EPB interface id
        AssertFaultAt("interface.pcapng", ng, at, "refers to interface 7");
    }

    [Fact]
    public void ABrokenSectionHeaderAtTheStartRejectsTheFileAtOffsetZero()
    {
        byte[] ng = Sample(SampleCaptureFormat.PcapNg);
        BinaryPrimitives.WriteUInt32LittleEndian(ng.AsSpan(8), 0x12345678);              // byte-order magic
        AssertFaultAt("bom.pcapng", ng, 0, "unknown byte-order magic");
    }

    [Fact]
    public void ASectionHeaderTooShortToHoldItsFieldsIsRejectedAtOffsetZero()
    {
        byte[] ng = Sample(SampleCaptureFormat.PcapNg);
        int length = BinaryPrimitives.ReadInt32LittleEndian(ng.AsSpan(4));
        // A 16-byte section header (its body has 4 of the 16 bytes it needs), then the rest of the file.
        var shortHeader = new byte[16];
        ng.AsSpan(0, 12).CopyTo(shortHeader);
        BinaryPrimitives.WriteInt32LittleEndian(shortHeader.AsSpan(4), 16);
        BinaryPrimitives.WriteInt32LittleEndian(shortHeader.AsSpan(12), 16);
        AssertFaultAt("short-shb.pcapng", shortHeader.Concat(ng.Skip(length)).ToArray(), 0, "section header block is too short");
    }

    [Fact]
    public void ABrokenSectionHeaderInTheMiddleEndsTheCaptureThere()
    {
        byte[] ng = Sample(SampleCaptureFormat.PcapNg);
        int at = MiddlePacketBlock(ng);
        int length = BinaryPrimitives.ReadInt32LittleEndian(ng.AsSpan(4));
        byte[] section = ng.AsSpan(0, length).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(section.AsSpan(8), 0x4D3C2B1A ^ 0x00FF0000);   // neither order
        byte[] bad = ng.Take(at).Concat(section).Concat(ng.Skip(at)).ToArray();
        AssertFaultAt("second-shb.pcapng", bad, at, "unknown byte-order magic");
    }

    [Theory]
    [InlineData(0x7F, "if_tsresol 10^-127 is out of range")]
    [InlineData(0xC0, "if_tsresol 2^-64 is out of range")]
    public void AnInterfaceDescriptionWithAnImpossibleTimestampResolution(byte resolution, string problem)
    {
        byte[] ng = Sample(SampleCaptureFormat.PcapNg);
        int at = MiddlePacketBlock(ng);
        // A second interface, described in the middle of the capture, with if_tsresol out of range.
        var idb = new byte[32];
        BinaryPrimitives.WriteUInt32LittleEndian(idb, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(idb.AsSpan(4), 32);
        BinaryPrimitives.WriteUInt16LittleEndian(idb.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(idb.AsSpan(12), 65535);
        BinaryPrimitives.WriteUInt16LittleEndian(idb.AsSpan(16), 9);
        BinaryPrimitives.WriteUInt16LittleEndian(idb.AsSpan(18), 1);
        idb[20] = resolution;
        BinaryPrimitives.WriteUInt32LittleEndian(idb.AsSpan(28), 32);
        AssertFaultAt($"tsresol-{resolution}.pcapng", ng.Take(at).Concat(idb).Concat(ng.Skip(at)).ToArray(), at, problem);
    }

    [Fact]
    public void AnInterfaceDescriptionTooShortToHoldItsFields()
    {
        byte[] ng = Sample(SampleCaptureFormat.PcapNg);
        int at = MiddlePacketBlock(ng);
        var idb = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(idb, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(idb.AsSpan(4), 16);
        BinaryPrimitives.WriteUInt32LittleEndian(idb.AsSpan(12), 16);
        AssertFaultAt("short-idb.pcapng", ng.Take(at).Concat(idb).Concat(ng.Skip(at)).ToArray(), at,
            "interface description block is too short");
    }

    [Theory]
    [InlineData(0x7FFFFFFFu, "exceeds the maximum")]          // absurd
    [InlineData(262_144u, "the capture is truncated")]        // allowed, but longer than the rest of the file
    public void APcapRecordWithAnAbsurdOrLyingCapturedLength(uint length, string problem)
    {
        byte[] pcap = Sample(SampleCaptureFormat.Pcap);
        int at = MiddleRecord(pcap);
        BinaryPrimitives.WriteUInt32LittleEndian(pcap.AsSpan(at + 8), length);
        AssertFaultAt($"caplen-{length}.pcap", pcap, at, problem);
    }

    [Theory]
    [InlineData("pcap", 7)]      // shorter than a record header
    [InlineData("pcap", 300)]
    [InlineData("pcapng", 11)]   // shorter than a block header
    [InlineData("pcapng", 300)]
    public void AGarbageTailAfterTheLastRecordKeepsEveryFlow(string format, int garbage)
    {
        byte[] good = Sample(format == "pcap" ? SampleCaptureFormat.Pcap : SampleCaptureFormat.PcapNg);
        var tail = new byte[garbage];
        new Random(garbage).NextBytes(tail);
        tail[4] = 0xFF; tail[5] = 0xFF; tail[6] = 0xFF;   // whatever the seed, the first length field is absurd
        byte[] bad = good.Concat(tail).ToArray();

        var run = GetFlows($"tail-{garbage}.{format}", bad);

        Assert.Equal(SampleFlows, run.Flows.Count);
        var error = Assert.Single(run.Errors);
        Assert.Contains($"(at byte offset {good.Length})", error.Exception.Message);
        Assert.Equal(Path.Combine(dir, $"tail-{garbage}.{format}"), error.TargetObject);
    }

    [Theory]
    [InlineData("pcap")]
    [InlineData("pcapng")]
    public void AFileCutInsideItsHeaderIsRejectedAtOffsetZero(string format)
    {
        byte[] good = Sample(format == "pcap" ? SampleCaptureFormat.Pcap : SampleCaptureFormat.PcapNg);
        AssertFaultAt($"cut.{format}", good.AsSpan(0, 10).ToArray(), 0, format == "pcap" ? "header is truncated" : "truncated");
    }
}
