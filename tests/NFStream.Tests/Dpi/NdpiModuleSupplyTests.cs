using NFStream.Engine;
using NFStream.Engine.Dpi;
using NFStream.Tests.Hosting;
using NFStream.Tests.Meters;

namespace NFStream.Tests.Dpi;

/// <summary>
/// Captures metered one after another get nDPI modules made ahead: each capture still gets a fresh module of its
/// own (the labels of separate runs), and a module made for a capture that never came is freed.
/// </summary>
[Collection(NdpiMemoryCollection.Name)]
public sealed class NdpiModuleSupplyTests
{
    [NdpiFact]
    public void EachCaptureGetsAFreshModuleMadeAheadWithTheLabelsOfSeparateRuns()
    {
        string path = RepositoryPaths.NewSampleCapture(rounds: 40);
        var separate = MeterRuns.Rows(path, new FlowOptions());
        Assert.Contains(separate, row => row.Contains("TLS"));

        long bytesBefore = NdpiMemory.LiveBytes;
        using (var supply = new NdpiModuleSupply(20))
        {
            for (int capture = 0; capture < 4; capture++)
            {
                bool more = capture < 3;
                var classifier = (NdpiClassifier)supply.Create(more);
                // The first capture's module is made on first use; every later one was made ahead.
                Assert.Equal(capture > 0, classifier.Initialized);
                Assert.Equal(separate, MeterRuns.Rows(path, new FlowOptions(), classifiers: () => classifier));
            }
            Assert.Equal(3, supply.ModulesMadeAhead);
        }
        Assert.InRange(NdpiMemory.LiveBytes - bytesBefore, -64 * 1024, 64 * 1024);
    }

    [NdpiFact]
    public void AModuleMadeForACaptureThatNeverCameIsFreed()
    {
        long bytesBefore = NdpiMemory.LiveBytes;
        var supply = new NdpiModuleSupply(20);
        supply.Create(moreFollow: true).Dispose();
        supply.Create(moreFollow: true).Dispose();     // the module made ahead here is never taken
        Assert.Equal(2, supply.ModulesMadeAhead);
        supply.Dispose();   // waits for the module (megabytes) being made ahead, and frees it
        Assert.InRange(NdpiMemory.LiveBytes - bytesBefore, -64 * 1024, 64 * 1024);
        Assert.Throws<ObjectDisposedException>(() => supply.Create(moreFollow: false));
    }
}
