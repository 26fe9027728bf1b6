using NFStream.Engine.Dpi;

namespace NFStream.Tests.Dpi;

/// <summary>Decoding of the shim's byte strings matches Python's bytes.decode("utf-8", errors="ignore") after ffi.string.</summary>
public sealed class NdpiTextTests
{
    [Fact]
    public void StopsAtTheFirstNul() =>
        Assert.Equal("abc", NdpiText.Decode(new byte[] { (byte)'a', (byte)'b', (byte)'c', 0, (byte)'d' }));

    [Fact]
    public void UsesTheWholeFieldWithoutNul() =>
        Assert.Equal("abcd", NdpiText.Decode("abcd"u8));

    [Fact]
    public void EmptyFieldGivesEmptyString()
    {
        Assert.Same(string.Empty, NdpiText.Decode(ReadOnlySpan<byte>.Empty));
        Assert.Same(string.Empty, NdpiText.Decode(new byte[8]));
    }

    [Fact]
    public void KeepsValidMultiByteCharacters() =>
        Assert.Equal("café ☕", NdpiText.Decode("café ☕"u8));

    [Theory]
    [InlineData(new byte[] { 0x62, 0xff, 0xfe, 0x68 }, "bh")]                   // bytes that never start UTF-8
    [InlineData(new byte[] { 0x61, 0xc3 }, "a")]                                // truncated sequence at the end
    [InlineData(new byte[] { 0xe2, 0x82, 0x41 }, "A")]                          // truncated sequence before ASCII
    [InlineData(new byte[] { 0xc0, 0xaf, 0x78 }, "x")]                          // overlong encoding of '/'
    [InlineData(new byte[] { 0xed, 0xa0, 0x80, 0x79 }, "y")]                    // UTF-16 surrogate
    [InlineData(new byte[] { 0x80, 0x80, 0x7a }, "z")]                          // stray continuation bytes
    public void DropsInvalidBytes(byte[] field, string expected) =>
        Assert.Equal(expected, NdpiText.Decode(field));
}
