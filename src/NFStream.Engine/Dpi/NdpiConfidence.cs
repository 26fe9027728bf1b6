namespace NFStream.Engine.Dpi;

/// <summary>
/// Translates nDPI 4.2's <c>ndpi_confidence_t</c> into the values NFStream reports as
/// <c>application_confidence</c>, which come from the nDPI 4.7 development snapshot that NFStream pins:
/// 0 unknown, 1 match by port, 2 nBPF, 3 DPI partial, 4 DPI partial (cache), 5 DPI (cache), 6 DPI.
/// </summary>
internal static class NdpiConfidence
{
    // nDPI 4.2's ndpi_confidence_t (ndpi_typedefs.h).
    public const int Ndpi42Unknown = 0;
    public const int Ndpi42MatchByPort = 1;
    public const int Ndpi42MatchByIp = 2;
    public const int Ndpi42DpiCache = 3;
    public const int Ndpi42Dpi = 4;

    // NFStream's application_confidence values.
    public const int Unknown = 0;
    public const int MatchByPort = 1;
    public const int DpiCache = 5;
    public const int Dpi = 6;

    /// <summary>
    /// Maps an nDPI 4.2 confidence to NFStream's scale. A by-address match (4.2 only) becomes match-by-port:
    /// NFStream's nDPI has no by-address value and reports such guesses as match-by-port. Values outside the
    /// 4.2 enum give unknown.
    /// </summary>
    public static int ToNfstream(int ndpi42Confidence) => ndpi42Confidence switch
    {
        Ndpi42Unknown => Unknown,
        Ndpi42MatchByPort => MatchByPort,
        Ndpi42MatchByIp => MatchByPort,
        Ndpi42DpiCache => DpiCache,
        Ndpi42Dpi => Dpi,
        _ => Unknown,
    };
}
