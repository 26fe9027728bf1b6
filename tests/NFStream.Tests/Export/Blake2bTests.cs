using System.Text;
using NFStream.Engine.Export;
using Xunit;

namespace NFStream.Tests.Export;

public class Blake2bTests
{
    private static byte[] Pattern(int length, int multiplier, int offset)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)((i * multiplier + offset) % 256);
        }
        return bytes;
    }

    private static byte[] Sequence(int length) => Enumerable.Range(0, length).Select(i => (byte)i).ToArray();

    [Fact]
    public void Rfc7693_AppendixA_Abc()
    {
        const string expected =
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1" +
            "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923";
        Assert.Equal(expected, Convert.ToHexString(Blake2b.ComputeHash(ReadOnlySpan<byte>.Empty, "abc"u8)).ToLowerInvariant());
        Assert.Equal(expected, Blake2b.ComputeHashHex(ReadOnlySpan<byte>.Empty, "abc"u8, 64));
    }

    [Fact]
    public void EmptyInput_Unkeyed()
    {
        const string expected =
            "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419" +
            "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce";
        Assert.Equal(expected, Blake2b.ComputeHashHex(default, default));
    }

    [Fact]
    public void OfficialKat_FirstKeyedVectors()
    {
        byte[] key = Sequence(64);
        Assert.Equal(
            "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786" +
            "b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568",
            Blake2b.ComputeHashHex(key, default));
        Assert.Equal(
            "961f6dd1e4dd30f63901690c512e78e4b45e4742ed197c3c5e45c549fd25f2e4" +
            "187b0bc9fe30492b16b0d0bc4ef9b0f34c7003fac09a5ef1532e69430234cebd",
            Blake2b.ComputeHashHex(key, new byte[] { 0x00 }));
    }

    [Fact]
    public void KeyedKat_AllLengths0To255()
    {
        byte[] key = Sequence(64);
        Assert.Equal(256, Blake2bReferenceData.KeyedKat.Length);
        for (int n = 0; n < 256; n++)
        {
            byte[] data = Sequence(n);
            Assert.Equal(Blake2bReferenceData.KeyedKat[n], Blake2b.ComputeHashHex(key, data));
        }
    }

    [Fact]
    public void Hashlib_PatternedKeysDataAndDigestSizes()
    {
        Assert.True(Blake2bReferenceData.Patterned.Length > 100);
        foreach (var (keyLength, dataLength, digestSize, hex) in Blake2bReferenceData.Patterned)
        {
            byte[] key = Pattern(keyLength, 13, 3);
            byte[] data = Pattern(dataLength, 7, 3);
            byte[] digest = Blake2b.ComputeHash(key, data, digestSize);
            Assert.Equal(digestSize, digest.Length);
            Assert.Equal(hex, Convert.ToHexString(digest).ToLowerInvariant());
            Assert.Equal(hex, Blake2b.ComputeHashHex(key, data, digestSize));
        }
    }

    [Fact]
    public void NfstreamAnonymization_MatchesHashlib()
    {
        foreach (var (keyText, value, hex) in Blake2bReferenceData.Anonymized)
        {
            byte[] key = keyText is null ? Sequence(64) : Encoding.ASCII.GetBytes(keyText);
            Assert.Equal(hex, Blake2b.ComputeHashHex(key, Encoding.UTF8.GetBytes(value)));
            Assert.Equal(128, hex.Length);
        }
    }

    [Fact]
    public void Megabyte_MatchesHashlib()
    {
        byte[] data = Pattern(1_000_000, 31, 7);
        byte[] key = Enumerable.Repeat((byte)'k', 20).ToArray();
        Assert.Equal(Blake2bReferenceData.MegabyteKeyed, Blake2b.ComputeHashHex(key, data));
        Assert.Equal(Blake2bReferenceData.MegabyteUnkeyed32, Blake2b.ComputeHashHex(default, data, 32));
    }

    [Fact]
    public void DigestSizeIsPartOfTheParameterBlock_NotATruncation()
    {
        // BLAKE2b-256 is not the first half of BLAKE2b-512 (digest length is hashed into h[0]).
        string d64 = Blake2b.ComputeHashHex(default, "abc"u8, 64);
        string d32 = Blake2b.ComputeHashHex(default, "abc"u8, 32);
        Assert.Equal(64, d32.Length);
        Assert.NotEqual(d64[..64], d32);
    }

    [Fact]
    public void InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Blake2b.ComputeHash(default, "a"u8, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Blake2b.ComputeHash(default, "a"u8, 65));
        Assert.Throws<ArgumentOutOfRangeException>(() => Blake2b.ComputeHash(new byte[65], "a"u8));
        // A 64-byte key is allowed.
        Assert.Equal(128, Blake2b.ComputeHashHex(new byte[64], "a"u8).Length);
    }

    [Fact]
    public void TheHashingIsTheMaintainedLibrarys()
    {
        // Export/Blake2b only adapts Konscious.Security.Cryptography.Blake2: no hand-written compression function.
        Assert.Contains(typeof(Blake2b).Assembly.GetReferencedAssemblies(),
            a => a.Name == "Konscious.Security.Cryptography.Blake2");
        Assert.DoesNotContain(typeof(Blake2b).GetMethods(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static),
            m => m.Name is "Compress" or "G");
    }
}
