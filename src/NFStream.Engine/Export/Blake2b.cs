using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace NFStream.Engine.Export;

/// <summary>
/// BLAKE2b (RFC 7693), optionally keyed, digest size 1..64 bytes, key 0..64 bytes.
/// Equivalent to Python's <c>hashlib.blake2b(data, digest_size=n, key=key)</c> (no salt/personalization,
/// sequential mode). NFStream anonymizes a CSV value as
/// <c>blake2b(str(value).encode(), digest_size=64, key=secret).hexdigest()</c>, see <see cref="ComputeHashHex"/>.
/// </summary>
/// <remarks>
/// Use the static one-shot helpers, or an instance for incremental hashing:
/// <c>var h = new Blake2b(key, 64); h.Update(a); h.Update(b); byte[] d = h.Finish();</c>
/// (<see cref="Reset"/> makes the instance reusable with the same key and digest size).
/// Instances are not thread-safe.
/// </remarks>
public sealed class Blake2b
{
    /// <summary>Maximum (and default) digest size in bytes.</summary>
    public const int MaxDigestSize = 64;

    /// <summary>Maximum key size in bytes.</summary>
    public const int MaxKeySize = 64;

    /// <summary>Block size in bytes.</summary>
    public const int BlockSize = 128;

    // RFC 7693 section 2.6: same as the SHA-512 initial hash values.
    private static readonly ulong[] IV =
    {
        0x6A09E667F3BCC908UL, 0xBB67AE8584CAA73BUL, 0x3C6EF372FE94F82BUL, 0xA54FF53A5F1D36F1UL,
        0x510E527FADE682D1UL, 0x9B05688C2B3E6C1FUL, 0x1F83D9ABFB41BD6BUL, 0x5BE0CD19137E2179UL,
    };

    // RFC 7693 section 2.7: message word schedule; rounds 10 and 11 reuse rows 0 and 1.
    private static readonly byte[] Sigma =
    {
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
        11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
        7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
        9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
        2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
        12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
        13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
        6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
        10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
    };

    private const int Rounds = 12;

    private readonly ulong[] _h = new ulong[8];
    private readonly byte[] _buffer = new byte[BlockSize];
    private readonly byte[] _key;
    private readonly int _digestSize;
    private ulong _t0;
    private ulong _t1;
    private int _bufferLength;
    private bool _finished;

    /// <summary>Starts an incremental hash.</summary>
    /// <param name="key">0..64 bytes; empty for unkeyed BLAKE2b.</param>
    /// <param name="digestSize">1..64 bytes.</param>
    public Blake2b(ReadOnlySpan<byte> key, int digestSize = MaxDigestSize)
    {
        Validate(key.Length, digestSize);
        _key = key.ToArray();
        _digestSize = digestSize;
        Reset();
    }

    /// <summary>Digest size in bytes.</summary>
    public int DigestSize => _digestSize;

    /// <summary>Restarts the hash with the same key and digest size.</summary>
    public void Reset()
    {
        Initialize(_h, _key.Length, _digestSize);
        _t0 = 0;
        _t1 = 0;
        _bufferLength = 0;
        _finished = false;
        Array.Clear(_buffer);
        if (_key.Length > 0)
        {
            // The key, zero-padded to a full block, is the first block (RFC 7693 section 3.3).
            _key.CopyTo(_buffer, 0);
            _bufferLength = BlockSize;
        }
    }

    /// <summary>Absorbs more input.</summary>
    public void Update(ReadOnlySpan<byte> data)
    {
        if (_finished)
        {
            throw new InvalidOperationException("Blake2b: Update after Finish; call Reset first.");
        }
        while (data.Length > 0)
        {
            // The buffered block is compressed only once more input follows, so that the last
            // block is always still buffered at Finish (it must carry the final-block flag).
            if (_bufferLength == BlockSize)
            {
                AddCounter(ref _t0, ref _t1, BlockSize);
                Compress(_h, _buffer, _t0, _t1, last: false);
                _bufferLength = 0;
            }
            int take = Math.Min(BlockSize - _bufferLength, data.Length);
            data[..take].CopyTo(_buffer.AsSpan(_bufferLength));
            _bufferLength += take;
            data = data[take..];
        }
    }

    /// <summary>Finishes the hash and writes the digest (exactly <see cref="DigestSize"/> bytes).</summary>
    public void Finish(Span<byte> digest)
    {
        if (digest.Length != _digestSize)
        {
            throw new ArgumentException($"Blake2b: digest span must be {_digestSize} bytes.", nameof(digest));
        }
        if (_finished)
        {
            throw new InvalidOperationException("Blake2b: Finish called twice; call Reset first.");
        }
        _finished = true;
        AddCounter(ref _t0, ref _t1, (ulong)_bufferLength);
        _buffer.AsSpan(_bufferLength).Clear();
        Compress(_h, _buffer, _t0, _t1, last: true);
        WriteDigest(_h, digest);
    }

    /// <summary>Finishes the hash and returns the digest.</summary>
    public byte[] Finish()
    {
        var digest = new byte[_digestSize];
        Finish(digest);
        return digest;
    }

    /// <summary>One-shot keyed BLAKE2b (<c>hashlib.blake2b(data, digest_size=digestSize, key=key).digest()</c>).</summary>
    public static byte[] ComputeHash(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, int digestSize = MaxDigestSize)
    {
        Validate(key.Length, digestSize);
        var digest = new byte[digestSize];
        ComputeHash(key, data, digest);
        return digest;
    }

    /// <summary>
    /// One-shot keyed BLAKE2b into <paramref name="digest"/>, whose length (1..64) is the digest size.
    /// Does not allocate.
    /// </summary>
    public static void ComputeHash(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> digest)
    {
        Validate(key.Length, digest.Length);

        Span<ulong> h = stackalloc ulong[8];
        Span<byte> block = stackalloc byte[BlockSize];
        Initialize(h, key.Length, digest.Length);
        ulong t0 = 0, t1 = 0;

        if (key.Length > 0)
        {
            block.Clear();
            key.CopyTo(block);
            AddCounter(ref t0, ref t1, BlockSize);
            Compress(h, block, t0, t1, last: data.Length == 0);
        }

        if (data.Length > 0 || key.Length == 0)
        {
            // All full blocks but the last one are compressed directly from the input.
            while (data.Length > BlockSize)
            {
                AddCounter(ref t0, ref t1, BlockSize);
                Compress(h, data[..BlockSize], t0, t1, last: false);
                data = data[BlockSize..];
            }
            // Final block (1..128 bytes, or the empty message's single zero block), zero-padded.
            block.Clear();
            data.CopyTo(block);
            AddCounter(ref t0, ref t1, (ulong)data.Length);
            Compress(h, block, t0, t1, last: true);
        }

        WriteDigest(h, digest);
    }

    /// <summary>
    /// <c>hashlib.blake2b(data, digest_size=digestSize, key=key).hexdigest()</c>: lowercase hex, 2 × digestSize chars.
    /// </summary>
    public static string ComputeHashHex(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, int digestSize = MaxDigestSize)
    {
        Validate(key.Length, digestSize);
        Span<byte> digest = stackalloc byte[MaxDigestSize];
        digest = digest[..digestSize];
        ComputeHash(key, data, digest);
        return ToHex(digest);
    }

    /// <summary>Lowercase hexadecimal, as Python's <c>hexdigest()</c>.</summary>
    public static string ToHex(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return string.Empty;
        }
        var chars = new char[bytes.Length * 2];
        TryWriteHex(bytes, chars, out _);
        return new string(chars);
    }

    /// <summary>Writes lowercase hex of <paramref name="bytes"/> (2 chars per byte) without allocating.</summary>
    public static bool TryWriteHex(ReadOnlySpan<byte> bytes, Span<char> destination, out int charsWritten)
    {
        const string HexDigits = "0123456789abcdef";
        if (destination.Length < bytes.Length * 2)
        {
            charsWritten = 0;
            return false;
        }
        for (int i = 0; i < bytes.Length; i++)
        {
            destination[2 * i] = HexDigits[bytes[i] >> 4];
            destination[2 * i + 1] = HexDigits[bytes[i] & 0xF];
        }
        charsWritten = bytes.Length * 2;
        return true;
    }

    private static void Validate(int keyLength, int digestSize)
    {
        if (digestSize < 1 || digestSize > MaxDigestSize)
        {
            throw new ArgumentOutOfRangeException(nameof(digestSize), digestSize, "Blake2b digest size must be 1..64 bytes.");
        }
        if (keyLength > MaxKeySize)
        {
            throw new ArgumentOutOfRangeException("key", keyLength, "Blake2b key must be at most 64 bytes.");
        }
    }

    private static void Initialize(Span<ulong> h, int keyLength, int digestSize)
    {
        IV.AsSpan().CopyTo(h);
        // Parameter block word 0: digest length, key length, fanout = 1, depth = 1.
        h[0] ^= 0x01010000UL ^ ((ulong)keyLength << 8) ^ (ulong)digestSize;
    }

    private static void AddCounter(ref ulong t0, ref ulong t1, ulong count)
    {
        t0 += count;
        if (t0 < count)
        {
            t1++;
        }
    }

    private static void WriteDigest(ReadOnlySpan<ulong> h, Span<byte> digest)
    {
        Span<byte> full = stackalloc byte[64];
        for (int i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(full[(8 * i)..], h[i]);
        }
        full[..digest.Length].CopyTo(digest);
    }

    /// <summary>Compression function F (RFC 7693 section 3.2).</summary>
    private static void Compress(Span<ulong> h, ReadOnlySpan<byte> block, ulong t0, ulong t1, bool last)
    {
        Span<ulong> m = stackalloc ulong[16];
        for (int i = 0; i < 16; i++)
        {
            m[i] = BinaryPrimitives.ReadUInt64LittleEndian(block[(8 * i)..]);
        }

        ulong v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3], v4 = h[4], v5 = h[5], v6 = h[6], v7 = h[7];
        ulong v8 = IV[0], v9 = IV[1], v10 = IV[2], v11 = IV[3];
        ulong v12 = IV[4] ^ t0, v13 = IV[5] ^ t1, v14 = last ? ~IV[6] : IV[6], v15 = IV[7];

        ReadOnlySpan<byte> sigma = Sigma;
        for (int r = 0; r < Rounds; r++)
        {
            ReadOnlySpan<byte> s = sigma.Slice(16 * r, 16);
            G(ref v0, ref v4, ref v8, ref v12, m[s[0]], m[s[1]]);
            G(ref v1, ref v5, ref v9, ref v13, m[s[2]], m[s[3]]);
            G(ref v2, ref v6, ref v10, ref v14, m[s[4]], m[s[5]]);
            G(ref v3, ref v7, ref v11, ref v15, m[s[6]], m[s[7]]);
            G(ref v0, ref v5, ref v10, ref v15, m[s[8]], m[s[9]]);
            G(ref v1, ref v6, ref v11, ref v12, m[s[10]], m[s[11]]);
            G(ref v2, ref v7, ref v8, ref v13, m[s[12]], m[s[13]]);
            G(ref v3, ref v4, ref v9, ref v14, m[s[14]], m[s[15]]);
        }

        h[0] ^= v0 ^ v8;
        h[1] ^= v1 ^ v9;
        h[2] ^= v2 ^ v10;
        h[3] ^= v3 ^ v11;
        h[4] ^= v4 ^ v12;
        h[5] ^= v5 ^ v13;
        h[6] ^= v6 ^ v14;
        h[7] ^= v7 ^ v15;
    }

    /// <summary>Mixing function G (RFC 7693 section 3.1), rotations R1..R4 = 32, 24, 16, 63.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(ref ulong a, ref ulong b, ref ulong c, ref ulong d, ulong x, ulong y)
    {
        a = a + b + x;
        d = RotateRight(d ^ a, 32);
        c += d;
        b = RotateRight(b ^ c, 24);
        a = a + b + y;
        d = RotateRight(d ^ a, 16);
        c += d;
        b = RotateRight(b ^ c, 63);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RotateRight(ulong x, int n) => (x >> n) | (x << (64 - n));
}
