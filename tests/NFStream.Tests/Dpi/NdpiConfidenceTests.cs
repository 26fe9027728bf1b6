using NFStream.Engine.Dpi;

namespace NFStream.Tests.Dpi;

/// <summary>nDPI 4.2's ndpi_confidence_t mapped onto NFStream's application_confidence values.</summary>
public sealed class NdpiConfidenceTests
{
    [Theory]
    [InlineData(0, 0)] // unknown
    [InlineData(1, 1)] // match by port
    [InlineData(2, 1)] // 4.2's match by IP: NFStream's nDPI reports such guesses as match by port
    [InlineData(3, 5)] // DPI (cache)
    [InlineData(4, 6)] // DPI
    [InlineData(5, 0)] // NDPI_CONFIDENCE_MAX and beyond: not a confidence
    [InlineData(-1, 0)]
    public void MapsNdpi42ToNfstream(int ndpi42, int nfstream) =>
        Assert.Equal(nfstream, NdpiConfidence.ToNfstream(ndpi42));
}
