using NFStream.Engine.Decoding;
using NFStream.Engine.Samples;

namespace NFStream.Tests.Engine;

/// <summary>
/// The decoder is on the hot path: decoding any frame the module handles, tunnels and re-parses included
/// (TZSP back to the link layer, CAPWAP back to the IP header), allocates nothing.
/// </summary>
public sealed class DecoderAllocationTests
{
    [Fact]
    public void DecodingEveryLinkTypeAndTunnelAllocatesNothing()
    {
        var builder = new FrameBuilder();
        var frames = new List<(int LinkType, byte[] Frame)>();
        foreach (var c in LinkTypeAndEncapsulationTests.Cases)
        {
            builder.Reset();
            c.Write(builder, false);
            frames.Add((c.LinkType, builder.Udp(40000, 53).Filler(20).Complete().ToArray()));
        }
        var decoder = new PacketDecoder(decodeTunnels: true);
        var packet = new ParsedPacket();
        foreach (var (linkType, frame) in frames)
            Assert.Equal(IgnoreReason.None, decoder.Decode(linkType, frame, (uint)frame.Length, 0, ref packet));

        long before = GC.GetAllocatedBytesForCurrentThread();
        int metered = 0;
        for (int round = 0; round < 100; round++)
            foreach (var (linkType, frame) in frames)
                if (decoder.Decode(linkType, frame, (uint)frame.Length, 0, ref packet) == IgnoreReason.None) metered++;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(100 * frames.Count, metered);
        // Nothing per item: a few KB once (the runtime tiering up the loop on this thread) is not per item.
        Assert.True(allocated < 16_384, $"{allocated} bytes allocated");
    }
}
