using System.Net;
using EmailRelay.Protocol.Sasl;

namespace EmailRelay.Protocol.Tests.Sasl;

public class AddressPatternTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("127.0.0.0/8", "127.9.8.7", true)]
    [InlineData("127.0.0.0/8", "128.0.0.1", false)]
    [InlineData("192.168.0.*", "192.168.0.77", true)]
    [InlineData("192.168.0.*", "192.168.1.77", false)]
    [InlineData("10.*.*.*", "10.1.2.3", true)]
    [InlineData("192.168.0.0/24", "::ffff:192.168.0.9", true)]
    [InlineData("fe80::/64", "fe80::1", true)]
    [InlineData("fe80::/64", "fe81::1", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("::1", "127.0.0.1", false)]
    [InlineData("0.0.0.0/0", "1.2.3.4", true)]
    [InlineData("192.168.0.0/23", "192.168.1.200", true)]
    [InlineData("192.168.0.0/23", "192.168.2.1", false)]
    public void Matches(string pattern, string address, bool expected)
    {
        Assert.True(AddressPattern.TryParse(pattern, out AddressPattern p));
        Assert.Equal(expected, p.Matches(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("1.2.3.4/33")]
    [InlineData("1.2.*.4")]
    [InlineData("1.2.*")]
    [InlineData("1.2.3.256")]
    [InlineData("1.2.3.4/x")]
    public void Rejects(string pattern)
    {
        Assert.False(AddressPattern.TryParse(pattern, out _));
    }
}
