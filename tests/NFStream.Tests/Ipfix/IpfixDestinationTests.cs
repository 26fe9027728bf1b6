using System.Net;
using NFStream.Engine.Export.Ipfix;

namespace NFStream.Tests.Ipfix;

public sealed class IpfixDestinationTests
{
    [Theory]
    [InlineData("127.0.0.1:2055", "127.0.0.1", 2055)]
    [InlineData("collector.example:4740", "collector.example", 4740)]
    [InlineData("[::1]:9995", "::1", 9995)]
    [InlineData("[2001:db8::5]", "2001:db8::5", 4739)]
    [InlineData("2001:db8::5", "2001:db8::5", 4739)]
    [InlineData(" 10.0.0.1 ", "10.0.0.1", 4739)]
    public void ParsesHostAndPort(string text, string host, int port) =>
        Assert.Equal((host, port), IpfixDestination.Parse(text));

    [Theory]
    [InlineData("127.0.0.1:0", "port")]
    [InlineData("127.0.0.1:70000", "port")]
    [InlineData("127.0.0.1:abc", "port")]
    [InlineData(":4739", "no host")]
    [InlineData("[::1", "']'")]
    [InlineData("[::1]x", "':port'")]
    public void RejectsMalformedDestinationsSayingWhy(string text, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => IpfixDestination.Parse(text));
        Assert.Contains($"'{text}'", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void ResolvesNamesAndFormatsIpv6InBrackets()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 2055), IpfixDestination.Resolve("localhost:2055"));
        Assert.Equal("[::1]:9995", IpfixDestination.Format(IpfixDestination.Resolve("[::1]:9995")));
        var e = Assert.Throws<ArgumentException>(() => IpfixDestination.Resolve("no-such-host.invalid:2055"));
        Assert.Contains("cannot resolve host 'no-such-host.invalid'", e.Message);
    }
}
