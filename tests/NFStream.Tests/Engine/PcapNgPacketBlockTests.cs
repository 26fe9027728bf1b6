using System.Buffers.Binary;
using NFStream.Engine.Capture;
using NFStream.Engine.Samples;

namespace NFStream.Tests.Engine;

/// <summary>
/// pcapng's enhanced packet block and the obsolete packet block it replaced are read by one routine: the same
/// packet in either block gives the same record, and a short or overfull block of either kind is reported.
/// </summary>
public sealed class PcapNgPacketBlockTests
{
    private const long T0 = GeneratedCapture.T0;

    /// <summary>An obsolete packet block's body: 16-bit interface id, 16-bit drop count, then the EPB layout.</summary>
    private static byte[] ObsoleteBody(ReadOnlySpan<byte> frame, ushort interfaceId, long timestampMicros, int? claimedCaplen = null)
    {
        var body = new byte[20 + ((frame.Length + 3) & ~3)];
        BinaryPrimitives.WriteUInt16LittleEndian(body, interfaceId);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(2), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), (uint)((ulong)timestampMicros >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(8), (uint)timestampMicros);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(12), (uint)(claimedCaplen ?? frame.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(16), (uint)frame.Length);
        frame.CopyTo(body.AsSpan(20));
        return body;
    }

    private static List<(byte[] Data, uint Wire, ulong TimeMs, int LinkType)> ReadAll(string path)
    {
        var records = new List<(byte[], uint, ulong, int)>();
        using var source = CaptureFile.Open(path);
        while (source.TryRead(out var r)) records.Add((r.Data.ToArray(), r.WireLength, r.TimeMs, r.LinkType));
        return records;
    }

    [Fact]
    public void AnObsoletePacketBlockReadsLikeTheEnhancedOne()
    {
        var factory = new PacketFactory();
        byte[] frame = factory.Udp(new SampleEndpoint(1, "10.0.0.1", 1000), new SampleEndpoint(2, "10.0.0.2", 53), new byte[13]).ToArray();
        string path = GeneratedCapture.WritePcapNg(w =>
        {
            w.AddInterface(1);
            w.AddInterface(101);
            w.WritePacket(1, T0 + 7 * GeneratedCapture.Millisecond, frame, frame.Length);
            w.WriteBlock(2, ObsoleteBody(frame, 1, (T0 + 7 * GeneratedCapture.Millisecond) / 1000));
        });

        var records = ReadAll(path);

        Assert.Equal(2, records.Count);
        Assert.Equal(records[0].Data, records[1].Data);
        Assert.Equal(records[0].Wire, records[1].Wire);
        Assert.Equal(records[0].TimeMs, records[1].TimeMs);
        Assert.Equal(101, records[1].LinkType);
    }

    [Theory]
    [InlineData(6, "an enhanced packet block claims 500 captured bytes")]
    [InlineData(2, "an obsolete packet block claims 500 captured bytes")]
    public void AnOverfullPacketBlockOfEitherKindIsReported(uint type, string problem)
    {
        byte[] frame = new byte[40];
        byte[] body = ObsoleteBody(frame, 0, 0, claimedCaplen: 500);
        if (type == 6) BinaryPrimitives.WriteUInt32LittleEndian(body, 0);   // a 32-bit interface id 0
        string path = GeneratedCapture.WritePcapNg(w =>
        {
            w.AddInterface(1);
            w.WriteBlock(type, body);
        });

        var e = Assert.Throws<CaptureFileException>(() => ReadAll(path));

        Assert.Contains(problem, e.Message);
    }
}
