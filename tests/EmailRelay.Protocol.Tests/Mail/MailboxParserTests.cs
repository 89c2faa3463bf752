using System.Text;
using EmailRelay.Protocol.Mail;

namespace EmailRelay.Protocol.Tests.Mail;

public class MailboxParserTests
{
    private const string Brackets = MailboxErrors.MissingAngleBrackets;
    private const string Empty = MailboxErrors.EmptyMailbox;
    private const string Character = MailboxErrors.InvalidCharacter;
    private const string Quoting = MailboxErrors.InvalidQuoting;

    private static MailboxParseResult Parse(string text, bool strict = true, bool alabels = true, bool allowEmpty = false)
        => MailboxParser.Parse(Encoding.UTF8.GetBytes(text), new MailboxParseOptions(strict, alabels), allowEmpty);

    public static TheoryData<string, string, bool, string> Valid => new()
    {
        // text after the colon, address, utf-8 local part, parameters
        { "<user@example.com>", "user@example.com", false, "" },
        { " <user@example.com>", "user@example.com", false, "" },
        { "   <user@example.com>  ", "user@example.com", false, "" },
        { "<user@example.com> SIZE=100 BODY=8BITMIME", "user@example.com", false, "SIZE=100 BODY=8BITMIME" },
        { "<user@example.com>\tSMTPUTF8", "user@example.com", false, "SMTPUTF8" },
        { "<postmaster>", "postmaster", false, "" },
        { "<Postmaster@Example.COM>", "Postmaster@Example.COM", false, "" },
        { "<first.last+tag@sub.example.co.uk>", "first.last+tag@sub.example.co.uk", false, "" },
        { "<!#$%&'*+-/=?^_`{|}~@x-y.example>", "!#$%&'*+-/=?^_`{|}~@x-y.example", false, "" },
        { "<\"john doe\"@example.com>", "\"john doe\"@example.com", false, "" },
        { "<\"a\\\"b\\\\c\"@example.com>", "\"a\\\"b\\\\c\"@example.com", false, "" },
        { "<\"a>b\"@example.com> SIZE=1", "\"a>b\"@example.com", false, "SIZE=1" },
        { "<\"\"@example.com>", "\"\"@example.com", false, "" },
        { "<@a.example,@b.example:user@d.example>", "user@d.example", false, "" },
        { "<@a.example:user@d.example>", "user@d.example", false, "" },
        { "<user@[192.0.2.1]>", "user@[192.0.2.1]", false, "" },
        { "<user@[IPv6:2001:db8::1]>", "user@[IPv6:2001:db8::1]", false, "" },
        { "<user@[ipv6:::1]>", "user@[ipv6:::1]", false, "" },
        { "<user@[x-tag:some-thing]>", "user@[x-tag:some-thing]", false, "" },
        { "<j\u00f6rg@example.com>", "j\u00f6rg@example.com", true, "" },
        { "<\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a>", "\u7528\u6237@xn--fsqu00a.xn--4rr70v", true, "" },
        { "<user@b\u00fccher.example>", "user@xn--bcher-kva.example", false, "" },

        // Issue 23 C: E-MailRelay accepts underscores in domains (real hosts use them).
        { "<OK.alice@Domain_one.com>", "OK.alice@Domain_one.com", false, "" },
        { "<user@_dmarc.exam_ple.com>", "user@_dmarc.exam_ple.com", false, "" },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Valid_paths_give_the_address_and_where_parameters_start(string text, string address, bool utf8Local, string parameters)
    {
        foreach (bool strict in new[] { true, false })
        {
            foreach (bool allowEmpty in new[] { true, false })
            {
                MailboxParseResult result = Parse(text, strict, allowEmpty: allowEmpty);
                Assert.True(result.Success, result.Error);
                Assert.Equal(address, result.Address);
                Assert.Equal(utf8Local, result.HasUtf8LocalPart);
                Assert.Equal("", result.Error);
                byte[] bytes = Encoding.UTF8.GetBytes(text);
                Assert.Equal(parameters, Encoding.UTF8.GetString(bytes.AsSpan(result.ParametersStart)));
            }
        }
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "user@example.com", Brackets },
        { "", Brackets },
        { "<user@example.com", Brackets },
        { "user@example.com>", Brackets },
        { "<>", Empty },
        { " <> ", Empty },
        { "<@a.example:>", Empty },
        { "<user name@example.com>", Character },
        { "<user@exa mple.com>", Character },
        { "<user@>", Character },
        { "<@example.com>", Character },
        { "<user@example..com>", Character },
        { "<user@-example.com>", Character },
        { "<user@exam ple.com>", Character },
        { "<us(er@example.com>", Character },
        { "<us,er@example.com>", Character },
        { "<user@a@b.example>", Character },
        { "<user@example.com>x", Character },
        { "<user@[192.0.2.300]>", Character },
        { "<user@[1.2.3]>", Character },
        { "<user@[IPv6:zz::1]>", Character },
        { "<user@[IPv6:1.2.3.4]>", Character },
        { "<user@[192.0.2.1>", Character },
        { "<user\u0001@example.com>", Character },
        { "<@a.example,b.example:user@d.example>", Character },
        { "<\"john@example.com>", Quoting },
        { "<\"john\"x@example.com>", Quoting },
        { "<jo\"hn\"@example.com>", Quoting },
        { "<\"john\\", Quoting },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Malformed_paths_give_the_reference_reason(string text, string error)
    {
        MailboxParseResult result = Parse(text);
        Assert.False(result.Success);
        Assert.Equal(error, result.Error);
        Assert.Equal("", result.Address);
    }

    [Fact]
    public void The_null_path_is_allowed_only_when_asked()
    {
        MailboxParseResult result = Parse("<> SIZE=10", allowEmpty: true);
        Assert.True(result.Success);
        Assert.Equal("", result.Address);
        Assert.Equal(3, result.ParametersStart);
        Assert.Equal(Empty, Parse("<>", allowEmpty: false).Error);
    }

    [Theory]
    [InlineData("user@example.com", "user@example.com", "")]
    [InlineData(" user@example.com SIZE=5", "user@example.com", "SIZE=5")]
    [InlineData("\"a b\"@example.com BODY=7BIT", "\"a b\"@example.com", "BODY=7BIT")]
    [InlineData("<user@example.com>", "user@example.com", "")]
    public void Without_strict_parsing_brackets_are_optional(string text, string address, string parameters)
    {
        MailboxParseResult result = Parse(text, strict: false);
        Assert.True(result.Success, result.Error);
        Assert.Equal(address, result.Address);
        Assert.Equal(parameters, text[result.ParametersStart..]);
        Assert.Equal(Brackets, Parse(text.Contains('<', StringComparison.Ordinal) ? "x" : text).Error);
    }

    [Fact]
    public void Without_strict_parsing_an_empty_path_is_still_invalid()
        => Assert.Equal(Empty, Parse("   ", strict: false, allowEmpty: true).Error);

    [Fact]
    public void Utf8_domains_are_kept_when_alabels_is_off()
    {
        MailboxParseResult result = Parse("<user@b\u00fccher.example>", alabels: false);
        Assert.True(result.Success);
        Assert.Equal("user@b\u00fccher.example", result.Address);
    }

    [Fact]
    public void Invalid_utf8_is_an_invalid_character()
    {
        byte[] text = [(byte)'<', 0xC3, 0x28, (byte)'@', (byte)'x', (byte)'>'];
        MailboxParseResult result = MailboxParser.Parse(text, MailboxParseOptions.Default, allowEmpty: false);
        Assert.Equal(Character, result.Error);
    }

    [Fact]
    public void Defaults_are_strict_parsing_and_alabels()
    {
        Assert.True(MailboxParseOptions.Default.RequireAngleBrackets);
        Assert.True(MailboxParseOptions.Default.ConvertToALabels);
    }
}
