using System.Text;
using EmailRelay.Protocol.Filters;

namespace EmailRelay.Protocol.Tests.Filters;

public class SpamdProtocolTests
{
    private const string SpamReply = "SPAMD/1.1 0 EX_OK\r\nContent-length: 5\r\nSpam: True ; 1003.3 / 5.0\r\n\r\nhello";

    [Fact]
    public void The_request_is_process_with_the_content_length_and_a_blank_line()
    {
        Assert.Equal("PROCESS SPAMC/1.4\r\nContent-length: 1234\r\n\r\n", Encoding.ASCII.GetString(SpamdProtocol.RequestHeader(1234)));
        Assert.Equal("PROCESS SPAMC/1.4\r\nUser: alice\r\nContent-length: 0\r\n\r\n", Encoding.ASCII.GetString(SpamdProtocol.RequestHeader(0, "alice")));
    }

    [Theory]
    [InlineData("SPAMD/1.1 0 EX_OK\r\nSpam: True ; 1003.3 / 5.0\r\n\r\n", true, "1003.3 / 5.0", null)]
    [InlineData("SPAMD/1.1 0 EX_OK\r\nContent-length: 42\r\nSpam: False ; 0.1 / 5.0\r\n\r\n", false, "0.1 / 5.0", 42L)]
    [InlineData("SPAMD/1.1 0 EX_OK\nspam: yes ; 7 / 5\n\n", true, "7 / 5", null)]
    [InlineData("SPAMD/1.0 0 EX_OK\r\nSpam: False\r\n", false, "", null)]
    public void Reply_headers_give_the_verdict_details_and_length(string header, bool spam, string details, long? length)
    {
        Assert.True(SpamdProtocol.TryParseReplyHeader(header, out var reply, out var error), error);
        Assert.Equal(new SpamdReply(spam, details, length), reply);
    }

    [Theory]
    [InlineData("SPAMD/1.1 76 Bad header line: (Content-Length mismatch: Expected 3 bytes, got 0 bytes)\r\n", "spamd error: [SPAMD/1.1 76 Bad header line: (Content-Length mismatch: Expected 3 bytes, got 0 bytes)]")]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n", "invalid spamd response: [HTTP/1.1 200 OK]")]
    [InlineData("SPAMD/1.1 0 EX_OK\r\nContent-length: 5\r\n\r\n", "invalid spamd response: no Spam header")]
    [InlineData("SPAMD/1.1 0 EX_OK\r\nContent-length: x\r\nSpam: True ; 1 / 2\r\n\r\n", "invalid spamd content length: [x]")]
    [InlineData("", "invalid spamd response: []")]
    public void Bad_replies_are_errors_with_printable_text(string header, string expected)
    {
        Assert.False(SpamdProtocol.TryParseReplyHeader(header, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void The_header_length_is_found_only_once_the_blank_line_is_complete_at_every_split_point()
    {
        var bytes = Encoding.ASCII.GetBytes(SpamReply);
        var full = SpamReply.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        for (int n = 0; n <= bytes.Length; n++)
        {
            Assert.Equal(n >= full ? full : -1, SpamdProtocol.HeaderLength(bytes.AsSpan(0, n)));
        }

        Assert.Equal(11, SpamdProtocol.HeaderLength("SPAMD/1.1\n\nbody"u8));
    }

    [Fact]
    public void A_spam_verdict_fails_with_response_spam_and_the_score_as_the_reason()
    {
        Assert.Equal(new FilterResult(FilterOutcome.Fail, false, "spam", 0, "spam: 1003.3 / 5.0"), SpamdProtocol.SpamResult(new SpamdReply(true, "1003.3 / 5.0", null)));
        Assert.Equal(new FilterResult(FilterOutcome.Fail, false, "spam", 0, "spam"), SpamdProtocol.SpamResult(new SpamdReply(true, "", null)));
    }
}
