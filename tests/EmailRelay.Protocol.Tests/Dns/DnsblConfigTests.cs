using EmailRelay.Protocol.Dns;

namespace EmailRelay.Protocol.Tests.Dns;

public class DnsblConfigTests
{
    [Theory]
    [InlineData("bl.test", "bl.test", 1, 5000, false, null)]
    [InlineData("a.test,b.test", "a.test b.test", 1, 5000, false, null)]
    [InlineData("a.test,b.test,2", "a.test b.test", 2, 5000, false, null)]
    [InlineData("a.test,0,300", "a.test", 0, 300, false, null)]
    [InlineData("a.test,b.test,1,1000,127.0.0.1:5353", "a.test b.test", 1, 1000, false, "127.0.0.1:5353")]
    [InlineData("a.test,1,-1000,10.0.0.1", "a.test", 1, 1000, true, "10.0.0.1:53")]
    [InlineData("a.test,1,1000,[::1]:5353", "a.test", 1, 1000, false, "[::1]:5353")]
    [InlineData("a.test,1,1000,::1", "a.test", 1, 1000, false, "[::1]:53")]
    [InlineData("127.0.0.1:5353,1000,2,a.test,b.test", "a.test b.test", 2, 1000, false, "127.0.0.1:5353")]
    [InlineData("127.0.0.1,2000,a.test", "a.test", 1, 2000, false, "127.0.0.1:53")]
    [InlineData("127.0.0.1:53,a.test", "a.test", 1, 5000, false, "127.0.0.1:53")]
    [InlineData(" a.test , 1 , 100 , 127.0.0.1:5 ", "a.test", 1, 100, false, "127.0.0.1:5")]
    public void Both_orders_and_the_defaults_are_understood(string text, string servers, int threshold, int timeoutMs, bool dropOnTimeout, string? dns)
    {
        Assert.True(DnsblConfig.TryParse(text, out var config, out var error), error);
        Assert.Equal(servers, string.Join(' ', config!.Servers));
        Assert.Equal(threshold, config.Threshold);
        Assert.Equal(TimeSpan.FromMilliseconds(timeoutMs), config.Timeout);
        Assert.Equal(dropOnTimeout, config.DropOnTimeout);
        Assert.Equal(dns, config.NameServer?.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("1,1000")]
    [InlineData("127.0.0.1:53")]
    [InlineData("a.test,1,1000,127.0.0.1,b.test")]
    [InlineData("a.test,1,1000,5000")]
    [InlineData("a.test,-1")]
    [InlineData("a.test,1,0")]
    [InlineData("a.test,1,1000,127.0.0.1:0")]
    [InlineData("a.test,1,1000,127.0.0.1:99999")]
    [InlineData("a test")]
    [InlineData("a.test,1,1000,127.0.0.1,127.0.0.2")]
    public void Bad_values_are_refused(string text)
    {
        Assert.False(DnsblConfig.TryParse(text, out var config, out var error));
        Assert.Null(config);
        Assert.StartsWith("invalid dnsbl option", error, StringComparison.Ordinal);
    }
}
