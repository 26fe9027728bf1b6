using NFStream.Engine.Decoding;
using NFStream.Engine.Features;

namespace NFStream.Tests.Engine;

/// <summary>NFStream's Welford arithmetic, including its sample-deviation thresholds.</summary>
public sealed class RunningStatisticsTests
{
    [Fact]
    public void SizeStatisticsUseSampleDeviation()
    {
        var s = new RunningSizeStats();
        ushort[] sizes = { 40, 60, 1470, 52 };
        s.Init(sizes[0]);
        for (int i = 1; i < sizes.Length; i++) s.Update(sizes[i], (ulong)i + 1);
        Assert.Equal(40, s.Min);
        Assert.Equal(1470, s.Max);
        Assert.Equal(405.5, s.Mean, 12);
        double mean = 405.5, m2 = sizes.Sum(x => (x - mean) * (x - mean));
        Assert.Equal(Math.Sqrt(m2 / 3), s.StdDev(4), 9);
        Assert.Equal(0.0, s.StdDev(1));
    }

    [Fact]
    public void GapStatisticsNeedThreePacketsForDeviation()
    {
        var g = new RunningGapStats();
        g.Add(10, 2);
        Assert.Equal(10UL, g.Min);
        Assert.Equal(10.0, g.Mean);
        Assert.Equal(0.0, g.StdDev(2));
        g.Add(30, 3);
        Assert.Equal(30UL, g.Max);
        Assert.Equal(20.0, g.Mean);
        Assert.Equal(Math.Sqrt(200.0), g.StdDev(3), 12);
    }

    [Fact]
    public void FlagCountersCountEachBit()
    {
        var f = new TcpFlagCounters();
        f.Add(TcpFlags.Syn);
        f.Add(TcpFlags.Syn | TcpFlags.Ack);
        f.Add(TcpFlags.Ack | TcpFlags.Psh | TcpFlags.Fin);
        f.Add(TcpFlags.Cwr | TcpFlags.Ece | TcpFlags.Urg | TcpFlags.Rst);
        Assert.Equal((2u, 2u, 1u, 1u, 1u, 1u, 1u, 1u), (f.Syn, f.Ack, f.Psh, f.Fin, f.Cwr, f.Ece, f.Urg, f.Rst));
    }

    [Fact]
    public void SpltPadsWithMinusOneAndStartsWithZeroGap()
    {
        var s = SpltSeries.Start(4, 58);
        SpltSeries.Record(s, 1, 1, 60, 34);
        SpltSeries.Record(s, 9, 0, 1, 1); // beyond the length: ignored
        Assert.Equal(new[] { 0, 1, -1, -1 }, SpltSeries.Directions(s, 2));
        Assert.Equal(new[] { 58, 60, -1, -1 }, SpltSeries.Sizes(s, 2));
        Assert.Equal(new long[] { 0, 34, -1, -1 }, SpltSeries.Gaps(s, 2));
        Assert.Empty(SpltSeries.Directions(null, 2));
    }
}
