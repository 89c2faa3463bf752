using EmailRelay.Protocol.Dkim;
using EmailRelay.Protocol.Filters;

namespace EmailRelay.Protocol.Tests.Dkim;

public class DkimSpecParserTests
{
    [Fact]
    public void Minimal_spec_has_the_defaults()
    {
        Assert.True(FilterSpecParser.TryParse("dkim:d=Example.COM;s=sel;key=/etc/dkim.pem", out var chain, out var error), error);
        var spec = Assert.Single(chain);
        Assert.Equal(FilterKind.Dkim, spec.Kind);
        var dkim = spec.Dkim!;
        Assert.Equal("example.com", dkim.Domain);
        Assert.Equal("sel", dkim.Selector);
        Assert.Equal("/etc/dkim.pem", dkim.KeyPath);
        Assert.Null(dkim.Algorithm);
        Assert.Equal(DkimCanonicalization.Relaxed, dkim.HeaderCanonicalization);
        Assert.Equal(DkimCanonicalization.Relaxed, dkim.BodyCanonicalization);
        Assert.Same(DkimSignerSettings.DefaultHeaders, dkim.Headers);
        Assert.Empty(dkim.SenderDomains);
    }

    [Fact]
    public void Every_option_is_parsed_and_two_signatures_form_a_chain()
    {
        Assert.True(FilterSpecParser.TryParse("dkim:domain=a.org;selector=ed;key=k1;a=ed25519-sha256;h=Subject:To;c=simple/relaxed;from=a.org:*.b.org, dkim:d=a.org;s=rsa;key=k2;c=simple", out var chain, out var error), error);
        Assert.Equal(2, chain.Count);
        var first = chain[0].Dkim!;
        Assert.Equal(DkimAlgorithm.Ed25519Sha256, first.Algorithm);
        Assert.Equal(["from", "subject", "to"], first.Headers);
        Assert.Equal(DkimCanonicalization.Simple, first.HeaderCanonicalization);
        Assert.Equal(DkimCanonicalization.Relaxed, first.BodyCanonicalization);
        Assert.Equal(["a.org", "*.b.org"], first.SenderDomains);
        Assert.Equal(DkimCanonicalization.Simple, chain[1].Dkim!.HeaderCanonicalization);
        Assert.Equal(DkimCanonicalization.Simple, chain[1].Dkim!.BodyCanonicalization);
    }

    [Theory]
    [InlineData("dkim:", "dkim needs d=<domain>, s=<selector> and key=<file>")]
    [InlineData("dkim:d=a.org;s=x", "dkim needs")]
    [InlineData("dkim:d=a.org;s=x;key=k;l=10", "unknown dkim option \"l=10\"")]
    [InlineData("dkim:d=a.org;s=x;key=k;a=rsa-sha1", "invalid dkim option \"a=rsa-sha1\"")]
    [InlineData("dkim:d=a.org;s=x;key=k;c=loose", "invalid dkim option")]
    [InlineData("dkim:d=a..org;s=x;key=k", "invalid dkim option")]
    [InlineData("dkim:d=\u00e9.org;s=x;key=k", "invalid dkim option")]
    [InlineData("dkim:d=a.org;d=b.org;s=x;key=k", "invalid dkim option \"d=b.org\"")]
    [InlineData("dkim:d=a.org;s=x;key=k;h=dkim-signature", "invalid dkim option")]
    [InlineData("dkim:d=a.org;s=x;key=k;from=", "invalid dkim option")]
    public void Invalid_specs_are_errors(string text, string message)
    {
        Assert.False(FilterSpecParser.TryParse(text, out _, out var error));
        Assert.StartsWith("invalid filter \"", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }
}
