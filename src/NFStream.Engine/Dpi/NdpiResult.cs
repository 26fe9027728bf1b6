using System.Runtime.InteropServices;

namespace NFStream.Engine.Dpi;

/// <summary>
/// The shim's <c>nfndpi_result</c> (native/nfndpi.h), field for field. Blittable; its size is checked against
/// <c>nfndpi_result_size()</c> when the shim is loaded. Strings are NUL-terminated raw bytes.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NdpiResult
{
    public const int ApplicationNameSize = 40;
    public const int CategoryNameSize = 25;
    public const int ServerNameSize = 81;
    public const int FingerprintSize = 49;
    public const int UserAgentSize = 256;
    public const int ContentTypeSize = 64;

    public int MasterProtocol;
    public int AppProtocol;
    public int Category;
    /// <summary>nDPI 4.2's ndpi_confidence_t, unmapped (see <see cref="NdpiConfidence"/>).</summary>
    public int NdpiConfidence;
    public int IsGuessed;
    public int Reserved;
    public fixed byte ApplicationName[ApplicationNameSize];
    public fixed byte CategoryName[CategoryNameSize];
    public fixed byte RequestedServerName[ServerNameSize];
    public fixed byte ClientFingerprint[FingerprintSize];
    public fixed byte ServerFingerprint[FingerprintSize];
    public fixed byte UserAgent[UserAgentSize];
    public fixed byte ContentType[ContentTypeSize];
}
