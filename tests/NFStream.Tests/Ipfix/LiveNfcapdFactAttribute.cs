using NFStream.Tests.Live;

namespace NFStream.Tests.Ipfix;

/// <summary>A live-capture fact (see <see cref="LiveFactAttribute"/>) that also needs nfcapd and nfdump; skipped, saying why, without them.</summary>
public sealed class LiveNfcapdFactAttribute : FactAttribute
{
    public LiveNfcapdFactAttribute()
    {
        Skip = new LiveFactAttribute().Skip ?? (Nfcapd.Available ? null : Nfcapd.Missing);
    }
}
