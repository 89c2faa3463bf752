using System.Text;
using EmailRelay.Protocol.Smtp.Client;

namespace EmailRelay.Protocol.Tests.Smtp.Client;

public class Socks4aCodecTests
{
    [Theory]
    [InlineData("127.0.0.1", 25, "04 01 00 19 7F 00 00 01 00")]
    [InlineData("10.1.2.3", 2525, "04 01 09 DD 0A 01 02 03 00")]
    [InlineData("localhost", 25, "04 01 00 19 00 00 00 01 00 6C 6F 63 61 6C 68 6F 73 74 00")]
    [InlineData("exampleonionaddress.onion", 587, "04 01 02 4B 00 00 00 01 00 65 78 61 6D 70 6C 65 6F 6E 69 6F 6E 61 64 64 72 65 73 73 2E 6F 6E 69 6F 6E 00")]
    [InlineData("::1", 25, "04 01 00 19 00 00 00 01 00 3A 3A 31 00")]
    [InlineData("1.2.3", 25, "04 01 00 19 00 00 00 01 00 31 2E 32 2E 33 00")]
    [InlineData("1.2.3.256", 25, "04 01 00 19 00 00 00 01 00 31 2E 32 2E 33 2E 32 35 36 00")]
    public void Connect_request_is_socks4_for_an_ipv4_literal_and_socks4a_with_the_name_otherwise(string host, int port, string hex) =>
        Assert.Equal(hex, BitConverter.ToString(Socks4aCodec.EncodeConnect(host, port)).Replace('-', ' '));

    [Fact]
    public void A_utf8_host_name_goes_as_utf8()
    {
        var request = Socks4aCodec.EncodeConnect("bücher.example", 25);
        Assert.Equal("bücher.example", Encoding.UTF8.GetString(request.AsSpan(9, request.Length - 10)));
        Assert.Equal(0, request[^1]);
    }

    [Theory]
    [InlineData("", 25)]
    [InlineData("a\0b", 25)]
    [InlineData("host", 0)]
    [InlineData("host", 65536)]
    public void Unusable_targets_are_refused(string host, int port) =>
        Assert.ThrowsAny<ArgumentException>(() => Socks4aCodec.EncodeConnect(host, port));

    [Fact]
    public void An_over_long_name_is_refused() =>
        Assert.Throws<ArgumentException>(() => Socks4aCodec.EncodeConnect(new string('a', Socks4aCodec.MaxHostBytes + 1), 25));

    [Theory]
    [InlineData("00 5A 00 00 00 00 00 00", null)]
    [InlineData("00 5A 00 19 7F 00 00 01 99", null)]
    [InlineData("00 5B 00 00 00 00 00 00", "socks request rejected or failed (91)")]
    [InlineData("00 5C 00 00 00 00 00 00", "socks request rejected: no identd (92)")]
    [InlineData("00 5D 00 00 00 00 00 00", "socks request rejected: identd mismatch (93)")]
    [InlineData("00 01 00 00 00 00 00 00", "socks request failed (1)")]
    [InlineData("04 5A 00 00 00 00 00 00", "invalid socks reply")]
    [InlineData("00 5A 00 00 00 00 00", "short socks reply")]
    [InlineData("", "short socks reply")]
    public void Replies_decode(string hex, string? error)
    {
        var bytes = hex.Length == 0 ? [] : hex.Split(' ').Select(h => Convert.ToByte(h, 16)).ToArray();
        Assert.Equal(error is null, Socks4aCodec.TryDecodeReply(bytes, out var actual));
        Assert.Equal(error, actual);
    }
}
