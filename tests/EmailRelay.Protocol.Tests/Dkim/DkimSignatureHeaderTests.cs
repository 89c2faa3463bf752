using System.Security.Cryptography;
using System.Text;
using EmailRelay.Protocol.Dkim;

namespace EmailRelay.Protocol.Tests.Dkim;

public class DkimSignatureHeaderTests
{
    private static readonly DkimSignerSettings s_settings = new() { Domain = "example.com", Selector = "sel", KeyPath = "k.pem" };

    [Fact]
    public void From_is_oversigned_and_absent_fields_are_not_listed()
    {
        var fields = Fields("From: a@example.com\r\nSubject: one\r\nSubject: two\r\nX-Other: x\r\n\r\n");
        Assert.Equal(["from", "from", "subject", "subject"], DkimSignatureHeader.SignedNames(fields, s_settings.Headers));
        Assert.Equal(["from", "from", "x-other"], DkimSignatureHeader.SignedNames(fields, ["from", "x-other", "to"]));
    }

    [Fact]
    public void The_field_has_the_tags_no_l_tag_and_an_empty_b_last()
    {
        var names = Enumerable.Repeat("list-unsubscribe", 8).Prepend("from").ToList();
        var text = DkimSignatureHeader.Unsigned(s_settings, DkimAlgorithm.RsaSha256, names, new byte[32], 1700000000);
        Assert.StartsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel;", text, StringComparison.Ordinal);
        Assert.Contains("h=from:list-unsubscribe:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("l=", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\tb=", text, StringComparison.Ordinal);
        Assert.All(text.Split("\r\n"), line => Assert.True(line.Length <= 78, line));
        var unfolded = text.Replace("\r\n\t", " ", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        Assert.Contains("h=from:" + string.Join(':', names.Skip(1)) + ";", unfolded, StringComparison.Ordinal);
        Assert.Contains(";t=1700000000;", unfolded, StringComparison.Ordinal);
        Assert.Contains("bh=" + Convert.ToBase64String(new byte[32]) + ";", unfolded, StringComparison.Ordinal);
    }

    [Fact]
    public void Signing_input_takes_instances_from_the_bottom_and_ends_with_the_field_without_crlf()
    {
        var fields = Fields("Subject: one\r\nFrom: A@Example.com\r\nSubject:  two \r\n\r\n");
        var names = new[] { "from", "from", "subject" };
        var unsigned = "DKIM-Signature: v=1; a=rsa-sha256;\r\n\tb=";
        var expected = "from:A@Example.com\r\nsubject:two\r\ndkim-signature:v=1; a=rsa-sha256; b=";
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(expected)), DkimSignatureHeader.SigningInputHash(fields, names, DkimCanonicalization.Relaxed, unsigned));
        var simple = "From: A@Example.com\r\nSubject:  two \r\n" + unsigned;
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(simple)), DkimSignatureHeader.SigningInputHash(fields, names, DkimCanonicalization.Simple, unsigned));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("example.com", true)]
    [InlineData("mail.example.com", true)]
    [InlineData("badexample.com", false)]
    [InlineData("example.org", false)]
    public void By_default_the_signing_domain_and_its_subdomains_are_signed(string? from, bool applies)
        => Assert.Equal(applies && from is not null, s_settings.AppliesTo(from));

    [Theory]
    [InlineData("a.org", true)]
    [InlineData("x.b.org", true)]
    [InlineData("b.org", false)]
    [InlineData("example.com", false)]
    public void Sender_domains_are_exact_or_wildcard(string from, bool applies)
        => Assert.Equal(applies, (s_settings with { SenderDomains = ["a.org", "*.b.org"] }).AppliesTo(from));

    private static IReadOnlyList<DkimHeaderField> Fields(string header)
    {
        var reader = new DkimHeaderReader();
        reader.Append(Encoding.ASCII.GetBytes(header));
        reader.Finish();
        return reader.Fields();
    }
}
