using NFStream.Engine;
using NFStream.Engine.Flows;

namespace NFStream.Tests.Meters;

/// <summary>How many meters a run uses: never more than the machine and the input can pay for.</summary>
public sealed class MeterPlanTests
{
    private const long Big = 1L << 30, Small = 1L << 20;

    [Theory]
    [InlineData(0, 2, Big, 1)]    // 2 cores: sharding cannot pay
    [InlineData(2, 2, Big, 1)]    // ... even when asked for
    [InlineData(8, 1, Big, 1)]
    [InlineData(0, 8, Big, 7)]    // one per core but one
    [InlineData(0, 8, -1, 7)]     // a live interface: length unknown
    [InlineData(0, 8, Small, 1)]  // too short to amortise the meters
    [InlineData(4, 8, Small, 4)]  // asked for explicitly: honoured
    [InlineData(8, 4, Big, 3)]    // an upper bound
    [InlineData(1, 64, Big, 1)]
    [InlineData(0, 64, Big, MeterPlan.MaxMeters)]
    public void ChoosesFromTheMachineAndTheInput(int requested, int cores, long bytes, int expected) =>
        Assert.Equal(expected, MeterPlan.Choose(requested, cores, bytes));

    [Fact]
    public void FilesMeteredInParallelUseOneMeterEach()
    {
        Assert.Equal(1, MeterPlan.Choose(4, 16, Big, parallelSources: 2, out string? reason));
        Assert.Contains("parallel", reason);
    }

    [Fact]
    public void SaysWhyWhenItUsesFewerThanAskedFor()
    {
        MeterPlan.Choose(2, 2, Big, 1, out string? reason);
        Assert.Contains("2 cores", reason);
        MeterPlan.Choose(0, 8, Big, 1, out reason);
        Assert.Null(reason);
    }

    [Fact]
    public void AutomaticOptionsResolveThroughThePlan()
    {
        Assert.Equal(1, new FlowOptions { Meters = 0 }.ResolveMeters(2));
        Assert.Equal(5, new FlowOptions { Meters = 0 }.ResolveMeters(6));
        Assert.Equal(2, new FlowOptions { Meters = 2 }.ResolveMeters(2));   // the engine honours an explicit count
    }

    [Fact]
    public void NdpiGetsAThreadOfItsOwnOnlyForOneFileWithOneMeterAndACoreForIt()
    {
        var dpi = new FlowOptions { NDissections = 20, Meters = 1 };
        const long Enough = MeterPlan.MinOwnClassifierThreadInputBytes;
        Assert.True(MeterPlan.ClassifyOnOwnThread(dpi, 2, Enough, 1, hasPlugins: false));
        Assert.True(MeterPlan.ClassifyOnOwnThread(dpi, 2, Big, 1, hasPlugins: false));
        Assert.False(MeterPlan.ClassifyOnOwnThread(dpi, 2, Enough - 1, 1, hasPlugins: false)); // too short to pay
        Assert.False(MeterPlan.ClassifyOnOwnThread(dpi, 2, Small, 1, hasPlugins: false));
        Assert.False(MeterPlan.ClassifyOnOwnThread(dpi, 1, Big, 1, hasPlugins: false));        // no core for it
        Assert.False(MeterPlan.ClassifyOnOwnThread(dpi, 2, -1, 1, hasPlugins: false));         // live: would hold flows back
        Assert.False(MeterPlan.ClassifyOnOwnThread(dpi, 2, Big, 2, hasPlugins: false));        // files in parallel take the cores
        Assert.False(MeterPlan.ClassifyOnOwnThread(dpi, 8, Big, 1, hasPlugins: true));         // plugins see nDPI inline
        Assert.False(MeterPlan.ClassifyOnOwnThread(dpi with { Meters = 3 }, 8, Big, 1, hasPlugins: false));
        Assert.False(MeterPlan.ClassifyOnOwnThread(dpi with { NDissections = 0 }, 8, Big, 1, hasPlugins: false));
    }
}
