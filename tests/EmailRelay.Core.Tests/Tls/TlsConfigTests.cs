using System.Security.Authentication;
using EmailRelay.Tls;

namespace EmailRelay.Core.Tests.Tls;

public class TlsConfigTests
{
    [Fact]
    public void Keywords_map_to_protocol_ranges()
    {
        Assert.Equal(SslProtocols.None, TlsConfig.Parse(null).Protocols);
        Assert.Equal(SslProtocols.Tls13, TlsConfig.Parse("tlsv1.3").Protocols);
        Assert.Equal(SslProtocols.Tls12, TlsConfig.Parse("tlsv1.2,-tlsv1.2").Protocols);
        Assert.Equal(SslProtocols.Tls12, TlsConfig.Parse("-tlsv1.2").Protocols);
        Assert.True(TlsConfig.Parse("openssl,noverify").NoVerify);
        Assert.Equal(SslProtocols.None, TlsConfig.Parse("mbedtls,bogus,ignoreextra").Protocols);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("-tlsv1.1")]
    public void Unknown_words_and_empty_ranges_are_errors(string text)
    {
        Assert.Throws<TlsConfigurationException>(() => TlsConfig.Parse(text));
    }
}
