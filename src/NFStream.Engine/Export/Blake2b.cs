using Konscious.Security.Cryptography;

namespace NFStream.Engine.Export;

/// <summary>
/// Keyed BLAKE2b (RFC 7693) as Python's hashlib.blake2b(data, key=key, digest_size=n) computes it, which is what
/// NFStream's anonymizer calls. The hashing itself is Konscious.Security.Cryptography.Blake2's; this class only
/// fixes the argument rules (key 0 to 64 bytes, digest 1 to 64 bytes) and the lowercase hex form.
/// </summary>
public static class Blake2b
{
    public const int MaxDigestSize = 64;
    public const int MaxKeySize = 64;

    /// <summary>The digest of <paramref name="data"/> under <paramref name="key"/> (empty: unkeyed).</summary>
    public static byte[] ComputeHash(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, int digestSize = MaxDigestSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digestSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digestSize, MaxDigestSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(key.Length, MaxKeySize, nameof(key));
        using var hash = new HMACBlake2B(key.ToArray(), digestSize * 8);
        // Konscious's implementation must be initialized before the first block (ComputeHash re-initializes after).
        hash.Initialize();
        return hash.ComputeHash(data.ToArray());
    }

    /// <summary><see cref="ComputeHash"/> as lowercase hex, as hashlib's hexdigest().</summary>
    public static string ComputeHashHex(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, int digestSize = MaxDigestSize) =>
        Convert.ToHexString(ComputeHash(key, data, digestSize)).ToLowerInvariant();
}
