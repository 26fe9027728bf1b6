using System.Text;

namespace NFStream.Engine.Dpi;

/// <summary>
/// Decodes the NUL-terminated byte strings of <see cref="NdpiResult"/> the way NFStream does
/// (<c>ffi.string(buf).decode("utf-8", errors="ignore")</c>): stop at the first NUL, drop bytes that are not
/// valid UTF-8. It never throws; nDPI copies raw bytes from packets (a Host header, a User-Agent, …).
/// </summary>
internal static class NdpiText
{
    private static readonly Encoding LenientUtf8 = Encoding.GetEncoding(
        "utf-8", EncoderFallback.ReplacementFallback, new DecoderReplacementFallback(string.Empty));

    /// <summary>The text before the first NUL of <paramref name="field"/>, with invalid UTF-8 dropped.</summary>
    public static string Decode(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        if (end >= 0) field = field[..end];
        return field.IsEmpty ? string.Empty : LenientUtf8.GetString(field);
    }
}
