using NFStream.Engine;

namespace NFStream.Tests.Engine;

/// <summary>Address text must match glibc's inet_ntop, which is what NFStream prints.</summary>
public sealed class IpTextTests
{
    private static (ulong Hi, ulong Lo) V6(string text)
    {
        var bytes = System.Net.IPAddress.Parse(text).GetAddressBytes();
        return (System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(8)));
    }

    [Theory]
    [InlineData("::", "::")]
    [InlineData("::1", "::1")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1")]        // first of two equal runs
    [InlineData("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1")]      // a single zero group is not compressed
    [InlineData("fe80::abcd:ef01:2345:6789", "fe80::abcd:ef01:2345:6789")]
    [InlineData("::ffff:192.0.2.1", "::ffff:192.0.2.1")]               // v4-mapped
    [InlineData("::192.0.2.1", "::192.0.2.1")]                         // v4-compatible
    [InlineData("::0.0.0.1", "::1")]
    [InlineData("1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0")]
    [InlineData("1:0:0:0:0:0:0:0", "1::")]
    [InlineData("FF02::FB", "ff02::fb")]
    public void FormatsIpv6LikeInetNtop(string input, string expected)
    {
        var (hi, lo) = V6(input);
        Assert.Equal(expected, IpText.FormatV6(hi, lo));
    }

    [Fact]
    public void FormatsIpv4Dotted()
    {
        Assert.Equal("172.31.3.224", IpText.Format(4, 0, 0xAC1F03E0));
        Assert.Equal("0.0.0.0", IpText.Format(4, 0, 0));
        Assert.Equal("255.255.255.255", IpText.Format(4, 0, 0xFFFFFFFF));
    }

    [Fact]
    public void FormatsMacsInLowerCase()
    {
        Assert.Equal("80:c6:ca:00:9e:9f", MacText.Format(0x80C6CA009E9FUL));
        Assert.Equal("00:00:00:00:00:00", MacText.Format(0));
    }
}
