using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Samples;
using static NFStream.Tests.Engine.GeneratedCapture;

namespace NFStream.Tests.Engine;

/// <summary>The readers on captures written by the engine's own writers: every byte order and resolution.</summary>
public sealed class CaptureFormatTests
{
    private static readonly SampleEndpoint A = new(0x0a00_0000_0001, "10.1.0.1", 5000), B = new(0x0a00_0000_0002, "10.1.0.2", 6000);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void ClassicPcapInEitherByteOrderAndResolution(bool bigEndian, bool nanoseconds)
    {
        var factory = new PacketFactory();
        string path = WritePcap(1, w =>
        {
            w.WritePacket(T0 + 123 * Millisecond + 456_789, factory.Udp(A, B, new byte[10]));
            w.WritePacket(T0 + 2 * Second + 7 * Millisecond, factory.Udp(B, A, new byte[30]));
        }, bigEndian, nanoseconds);

        var result = Meter(path);

        Assert.Null(result.Error);
        var flow = Assert.Single(result.Flows);
        Assert.Equal((ulong)((T0 + 123 * Millisecond) / Millisecond), flow.bidirectional_first_seen_ms);
        Assert.Equal((ulong)((T0 + 2 * Second + 7 * Millisecond) / Millisecond), flow.bidirectional_last_seen_ms);
        Assert.Equal(2UL, flow.bidirectional_packets);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PcapNgWithSeveralInterfacesLinkTypesAndResolutionsAndSkippedBlocks(bool bigEndian)
    {
        var ethernet = new PacketFactory();
        var raw = new PacketFactory(ethernet: false);
        var c = new SampleEndpoint(0, "10.2.0.1", 7000);
        var d = new SampleEndpoint(0, "10.2.0.2", 8000);
        string path = WritePcapNg(w =>
        {
            int eth = w.AddInterface(1, resolutionDigits: 6);
            int ip = w.AddInterface(101, resolutionDigits: 9);
            w.WriteBlock(0x0BAD_0001, new byte[] { 1, 2, 3, 4, 5 });          // unknown block: skipped
            w.WritePacket(eth, T0, ethernet.Udp(A, B, new byte[8]), 50);
            w.WriteBlock(0x0000_0005, new byte[12]);                            // interface statistics: skipped
            w.WritePacket(ip, T0 + 5 * Millisecond + 999_999, raw.Udp(c, d, new byte[8]), 36);
            w.WritePacket(eth, T0 + 9 * Millisecond, ethernet.Udp(B, A, new byte[8]), 50);
            w.WritePacket(ip, T0 + 11 * Millisecond, raw.Udp(d, c, new byte[8]), 36);
        }, bigEndian);

        var result = Meter(path);

        Assert.Null(result.Error);
        Assert.Equal(2, result.Flows.Count);
        var first = result.Flows.Single(f => f.src_ip == "10.1.0.1");
        var second = result.Flows.Single(f => f.src_ip == "10.2.0.1");
        Assert.Equal(2UL, first.bidirectional_packets);
        Assert.Equal(2UL, second.bidirectional_packets);
        Assert.Equal((ulong)(T0 / Millisecond + 5), second.bidirectional_first_seen_ms);
        Assert.Equal(6UL, second.bidirectional_duration_ms);
        Assert.Equal(100UL, first.bidirectional_bytes);   // the original lengths, not the captured ones
    }

    [Fact]
    public void SimplePacketBlocksUseTheFirstInterface()
    {
        var factory = new PacketFactory();
        string path = WritePcapNg(w =>
        {
            w.AddInterface(1);
            w.WriteSimplePacket(factory.Udp(A, B, new byte[4]));
            w.WriteSimplePacket(factory.Udp(B, A, new byte[4]));
        });
        var flow = Assert.Single(Meter(path).Flows);
        Assert.Equal(2UL, flow.bidirectional_packets);
    }

    [Theory]
    [InlineData("pcap")]
    [InlineData("pcapng")]
    public void ATruncatedLastRecordIsReportedAtItsOffsetAndEarlierFlowsSurvive(string format)
    {
        var factory = new PacketFactory();
        string path = format == "pcap"
            ? WritePcap(1, w => WriteThree(w, factory))
            : WritePcapNg(w =>
            {
                w.AddInterface(1);
                WriteThree(w, factory);
            });
        long full = new FileInfo(path).Length;
        using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(full - 10);

        var result = Meter(path);

        Assert.NotNull(result.Error);
        Assert.Equal(path, result.Error!.Path);
        Assert.InRange(result.Error.Offset, 24, full - 10);
        Assert.Contains(result.Error.Offset.ToString(), result.Error.Message);
        var flow = Assert.Single(result.Flows);
        Assert.Equal(2UL, flow.bidirectional_packets);   // the two complete records
    }

    [Fact]
    public void AFileThatIsNotACaptureIsRejectedAtOffsetZero()
    {
        string path = Path.Combine(Hosting.RepositoryPaths.NewScratchDirectory(), "notes.pcap");
        File.WriteAllText(path, "these are not the packets you are looking for");
        var e = Assert.Throws<CaptureFileException>(() => CaptureFile.Open(path).Dispose());
        Assert.Equal(0, e.Offset);
        Assert.Equal(path, e.Path);
    }

    private static void WriteThree(CaptureWriter w, PacketFactory factory)
    {
        w.WritePacket(T0, factory.Udp(A, B, new byte[16]));
        w.WritePacket(T0 + Millisecond, factory.Udp(B, A, new byte[16]));
        w.WritePacket(T0 + 2 * Millisecond, factory.Udp(A, B, new byte[16]));
    }
}
