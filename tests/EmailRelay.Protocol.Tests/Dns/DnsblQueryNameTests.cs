using System.Net;
using EmailRelay.Protocol.Dns;

namespace EmailRelay.Protocol.Tests.Dns;

public class DnsblQueryNameTests
{
    [Theory]
    [InlineData("127.0.0.2", "zen.example", "2.0.0.127.zen.example")]
    [InlineData("192.0.2.99", "bl.test.", "99.2.0.192.bl.test")]
    [InlineData("::ffff:100.64.1.2", "bl.test", "2.1.64.100.bl.test")]
    [InlineData("2001:db8:1:2:3:4:567:89ab", "bl.test", "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl.test")]
    public void The_address_is_reversed_in_front_of_the_zone(string address, string zone, string expected)
    {
        Assert.Equal(expected, DnsblQueryName.For(IPAddress.Parse(address), zone));
    }
}
