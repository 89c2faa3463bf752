using System.Net;
using EmailRelay.Cli.Hosting;
using EmailRelay.Hosting;

namespace EmailRelay.Core.Tests.Web;

public sealed class WebOptionsMapperTests
{
    [Theory]
    [InlineData("8025", null, 8025)]
    [InlineData("127.0.0.1:0", "127.0.0.1", 0)]
    [InlineData("[::1]:8080", "::1", 8080)]
    [InlineData("::1:8080", "::1", 8080)]
    public void Parses_address_and_port(string value, string? address, int port)
    {
        var (parsed, parsedPort) = WebOptionsMapper.Parse(value);
        Assert.Equal(address, parsed?.ToString());
        Assert.Equal(port, parsedPort);
    }

    [Theory]
    [InlineData("65536", "invalid port number")]
    [InlineData("x", "invalid port number")]
    [InlineData("localhost:80", "invalid address")]
    [InlineData("1.2.3.4.5:80", "invalid address")]
    public void Refuses_bad_values(string value, string error)
    {
        var exception = Assert.Throws<ConfigurationException>(() => WebOptionsMapper.Parse(value));
        Assert.Contains(error, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loopback_check_knows_both_families()
    {
        Assert.True(new EmailRelay.Web.WebConsoleOptions { Endpoints = [new IPEndPoint(IPAddress.Loopback, 1), new IPEndPoint(IPAddress.IPv6Loopback, 1)] }.IsLoopbackOnly);
        Assert.False(new EmailRelay.Web.WebConsoleOptions { Endpoints = [new IPEndPoint(IPAddress.Loopback, 1), new IPEndPoint(IPAddress.Any, 1)] }.IsLoopbackOnly);
    }
}
