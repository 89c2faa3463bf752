using System.Net;
using System.Net.Sockets;
using EmailRelay.Net;

namespace EmailRelay.Core.Tests.Net;

public class LocalNetworksTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.255.1.2", true)]
    [InlineData("169.254.3.4", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("172.15.255.255", false)]
    [InlineData("192.168.1.1", true)]
    [InlineData("192.169.1.1", false)]
    [InlineData("8.8.8.8", false)]
    [InlineData("128.0.0.1", false)]
    [InlineData("::1", true)]
    [InlineData("::2", false)]
    [InlineData("fe80::1", true)]
    [InlineData("fe80:0:0:1::1", false)]
    [InlineData("fc00::1", true)]
    [InlineData("fdff::1", true)]
    [InlineData("fe00::1", false)]
    [InlineData("2001:db8::1", false)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("::ffff:192.168.0.9", true)]
    [InlineData("::ffff:8.8.8.8", false)]
    public void Address_is_classified_as_local_or_not(string address, bool local)
    {
        Assert.Equal(local, LocalNetworks.IsLocal(IPAddress.Parse(address)));
        Assert.Equal(local, LocalNetworks.IsLocal(new IPEndPoint(IPAddress.Parse(address), 25)));
    }

    [Fact]
    public void Unix_socket_peers_are_local()
    {
        Assert.True(LocalNetworks.IsLocal(new UnixDomainSocketEndPoint("/tmp/x.s")));
        Assert.True(LocalNetworks.IsLocal((EndPoint?)null));
    }
}
