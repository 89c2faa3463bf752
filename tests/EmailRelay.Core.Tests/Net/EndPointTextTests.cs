using System.Net;
using EmailRelay.Net;

namespace EmailRelay.Core.Tests.Net;

public class EndPointTextTests
{
    [Theory]
    [InlineData("127.0.0.1", 25, "127.0.0.1:25")]
    [InlineData("0.0.0.0", 2525, "0.0.0.0:2525")]
    [InlineData("::", 25, "::.25")]
    [InlineData("::1", 10025, "::1.10025")]
    [InlineData("::ffff:10.0.0.1", 25, "10.0.0.1:25")]
    public void Address_is_shown_like_emailrelay(string address, int port, string expected)
    {
        Assert.Equal(expected, EndPointText.Format(new IPEndPoint(IPAddress.Parse(address), port)));
    }
}
