using NFStream.Engine;
using NFStream.Engine.Samples;
using static NFStream.Tests.Engine.GeneratedCapture;

namespace NFStream.Tests.Engine;

/// <summary>Idle and active expiry, expiration_id, and the clock that never goes backwards.</summary>
public sealed class TimeoutTests
{
    private static readonly SampleEndpoint A = new(1, "10.3.0.1", 1111), B = new(2, "10.3.0.2", 2222);

    [Fact]
    public void AnIdleGapLongerThanTheIdleTimeoutStartsANewFlow()
    {
        var factory = new PacketFactory();
        string path = WritePcap(1, w =>
        {
            w.WritePacket(T0, factory.Udp(A, B, new byte[4]));
            w.WritePacket(T0 + Second, factory.Udp(B, A, new byte[4]));
            w.WritePacket(T0 + 200 * Second, factory.Udp(A, B, new byte[4]));
        });
        var flows = Meter(path, new FlowOptions { NDissections = 0, IdleTimeoutSeconds = 120 }).Flows;
        Assert.Equal(2, flows.Count);
        Assert.Equal(0, flows[0].expiration_id);            // idle
        Assert.Equal(2UL, flows[0].bidirectional_packets);
        Assert.Equal(1UL, flows[1].bidirectional_packets);
        Assert.Equal(0, flows[1].expiration_id);            // end of input is reported as idle, as in NFStream
    }

    [Fact]
    public void AFlowLongerThanTheActiveTimeoutIsSplitWithExpirationIdOne()
    {
        var factory = new PacketFactory();
        string path = WritePcap(1, w =>
        {
            for (int i = 0; i <= 8; i++) w.WritePacket(T0 + i * 5 * Second, factory.Udp(i % 2 == 0 ? A : B, i % 2 == 0 ? B : A, new byte[4]));
        });
        var flows = Meter(path, new FlowOptions { NDissections = 0, IdleTimeoutSeconds = 10, ActiveTimeoutSeconds = 30 }).Flows;
        Assert.True(flows.Count >= 2, $"expected an active-timeout split, got {flows.Count} flow(s)");
        Assert.Equal(1, flows[0].expiration_id);
        Assert.True(flows[0].bidirectional_duration_ms <= 30_000);
        Assert.Equal(9UL, (ulong)flows.Sum(f => (long)f.bidirectional_packets));
    }

    [Fact]
    public void TimeGoingBackwardsIsClampedToTheLatestTimeSeen()
    {
        var factory = new PacketFactory();
        string path = WritePcap(1, w =>
        {
            w.WritePacket(T0 + 10 * Second, factory.Udp(A, B, new byte[4]));
            w.WritePacket(T0 + 5 * Second, factory.Udp(B, A, new byte[4]));      // 5 s in the past
            w.WritePacket(T0 + 11 * Second, factory.Udp(A, B, new byte[4]));
        });
        var flow = Assert.Single(Meter(path).Flows);
        Assert.Equal((ulong)((T0 + 10 * Second) / Millisecond), flow.dst2src_first_seen_ms);
        Assert.Equal(1000UL, flow.bidirectional_duration_ms);
        Assert.Equal(3UL, flow.bidirectional_packets);
    }

    [Fact]
    public void TheFlowCapEvictsTheOldestFlowWithExpirationIdTwo()
    {
        var factory = new PacketFactory();
        string path = WritePcap(1, w =>
        {
            for (ushort i = 0; i < 10; i++)
                w.WritePacket(T0 + i * Millisecond, factory.Udp(A with { Port = (ushort)(3000 + i) }, B, new byte[4]));
        });
        var result = Meter(path, new FlowOptions { NDissections = 0, MaxActiveFlows = 4 });
        Assert.Equal(10, result.Flows.Count);
        Assert.Equal(6, result.Flows.Count(f => f.expiration_id == 2));
        Assert.Equal(3000, result.Flows[0].src_port);                // the oldest goes first
        Assert.Equal(6, result.Statistics.FlowsEvicted);
    }
}
