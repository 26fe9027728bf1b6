using NFStream.Engine.Capture;

namespace NFStream.Tests.Live;

/// <summary>The queue between the capture thread and the pipeline thread.</summary>
public sealed class PacketRingTests
{
    private static byte[] Packet(int length, byte fill) => Enumerable.Repeat(fill, length).ToArray();

    [Fact]
    public void PacketsComeOutInOrderAcrossWrapAroundAndStayValidUntilTheNextRead()
    {
        var ring = new PacketRing(slotSize: 100, slots: 4);
        Assert.Equal(4, ring.Capacity);
        for (int round = 0; round < 10; round++)
        {
            for (int i = 0; i < 3; i++) Assert.True(ring.TryWrite(Packet(10 + i, (byte)(round * 3 + i)), (uint)(60 + i), (ulong)(round * 3 + i)));
            for (int i = 0; i < 3; i++)
            {
                Assert.True(ring.TryRead(out var data, out uint wire, out ulong time));
                Assert.Equal(10 + i, data.Length);
                Assert.Equal((byte)(round * 3 + i), data[0]);
                Assert.Equal((uint)(60 + i), wire);
                Assert.Equal((ulong)(round * 3 + i), time);
            }
            Assert.False(ring.TryRead(out _, out _, out _));
        }
        Assert.Equal(0, ring.Dropped);
    }

    [Fact]
    public void AFullRingDropsAndCountsNewPacketsAndTheHeldSlotIsNotOverwritten()
    {
        var ring = new PacketRing(slotSize: 16, slots: 2);
        Assert.True(ring.TryWrite(Packet(4, 1), 4, 1));
        Assert.True(ring.TryRead(out var held, out _, out _));   // the reader holds slot 0
        Assert.True(ring.TryWrite(Packet(4, 2), 4, 2));
        Assert.False(ring.TryWrite(Packet(4, 3), 4, 3));         // slot 0 is still held
        Assert.Equal(1, ring.Dropped);
        Assert.Equal(1, held[0]);
        Assert.True(ring.TryRead(out var next, out _, out _));
        Assert.Equal(2, next[0]);
        Assert.True(ring.TryWrite(Packet(4, 4), 4, 4));          // slot 0 was released by that read
    }

    [Fact]
    public void LongPacketsAreCutToTheSlotAndKeepTheirWireLength()
    {
        var ring = new PacketRing(slotSize: 8);
        Assert.True(ring.TryWrite(Packet(20, 7), 1500, 0));
        Assert.True(ring.TryRead(out var data, out uint wire, out _));
        Assert.Equal(8, data.Length);
        Assert.Equal(1500u, wire);
    }

    [Fact]
    public void TheSlotCountFollowsTheSnapshotLengthWithinBounds()
    {
        Assert.Equal(8192, new PacketRing(1536).Capacity);      // 16 MiB / 1536 → 10922 → 8192
        Assert.Equal(256, new PacketRing(65535).Capacity);
        Assert.Equal(64, new PacketRing(262144).Capacity);
        Assert.Equal(16384, new PacketRing(64).Capacity);
    }

    [Fact]
    public void WritingAndReadingAllocateNothing()
    {
        var ring = new PacketRing(slotSize: 256, slots: 1024);
        var packet = Packet(200, 9);
        for (int i = 0; i < 2000; i++) { ring.TryWrite(packet, 200, (ulong)i); ring.TryRead(out _, out _, out _); }   // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        long sum = 0;
        for (int i = 0; i < 100_000; i++)
        {
            ring.TryWrite(packet, 200, (ulong)i);
            if (ring.TryRead(out var data, out _, out _)) sum += data[0];
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // One allocation per packet would be at least 24 B x 100,000 = 2.4 MB. The runtime may allocate a few KB once
        // on this thread while the loop runs (tier-up / on-stack replacement of the loop), which is not per packet.
        Assert.True(allocated < 16_384, $"{allocated} bytes allocated over 100,000 packets");
        Assert.Equal(9 * 100_000, sum);
    }

    [Fact]
    public void AProducerThreadAndAConsumerThreadLoseAndDuplicateNothing()
    {
        var ring = new PacketRing(slotSize: 8, slots: 64);
        const int total = 200_000;
        var producer = new Thread(() =>
        {
            var buffer = new byte[8];
            for (int i = 0; i < total; i++)
            {
                BitConverter.TryWriteBytes(buffer, i);
                while (!ring.TryWrite(buffer, 8, (ulong)i)) Thread.SpinWait(10);   // retry instead of dropping
            }
        });
        producer.Start();
        int expected = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (expected < total && DateTime.UtcNow < deadline)
        {
            if (!ring.TryRead(out var data, out _, out ulong time)) continue;
            Assert.Equal(expected, BitConverter.ToInt32(data));
            Assert.Equal((ulong)expected, time);
            expected++;
        }
        producer.Join();
        Assert.Equal(total, expected);
    }
}
