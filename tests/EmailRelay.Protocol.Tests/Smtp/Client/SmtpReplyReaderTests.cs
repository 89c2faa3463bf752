using EmailRelay.Protocol.Smtp.Client;

namespace EmailRelay.Protocol.Tests.Smtp.Client;

public class SmtpReplyReaderTests
{
    [Theory]
    [InlineData("250 ok", 250, "ok")]
    [InlineData("250", 250, "")]
    [InlineData("220-a\n220-b\n220 c", 220, "a|b|c")]
    [InlineData("354 ", 354, "")]
    public void Valid_replies_are_assembled(string input, int code, string lines)
    {
        var reader = new SmtpReplyReader();
        var parts = input.Split('\n');
        for (var i = 0; i < parts.Length; i++)
        {
            var result = reader.Add(parts[i], out var reply);
            if (i < parts.Length - 1)
            {
                Assert.Equal(ReplyLineResult.NeedMore, result);
            }
            else
            {
                Assert.Equal(ReplyLineResult.Complete, result);
                Assert.Equal(code, reply.Code);
                Assert.Equal(lines, string.Join("|", reply.Lines));
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("25")]
    [InlineData("hello")]
    [InlineData("250x")]
    [InlineData("650 out of range")]
    [InlineData("099 low")]
    public void Malformed_lines_are_invalid(string line) =>
        Assert.Equal(ReplyLineResult.Invalid, new SmtpReplyReader().Add(line, out _));

    [Fact]
    public void A_continuation_with_another_code_is_invalid()
    {
        var reader = new SmtpReplyReader();
        Assert.Equal(ReplyLineResult.NeedMore, reader.Add("250-a", out _));
        Assert.Equal(ReplyLineResult.Invalid, reader.Add("251 b", out _));
        Assert.Equal(ReplyLineResult.Complete, reader.Add("250 fresh", out var reply));
        Assert.Equal("fresh", reply.Text);
    }

    [Fact]
    public void An_endless_reply_is_cut_off()
    {
        var reader = new SmtpReplyReader();
        var result = ReplyLineResult.NeedMore;
        for (var i = 0; i < SmtpReplyReader.MaxLines + 1 && result == ReplyLineResult.NeedMore; i++)
        {
            result = reader.Add("250-x", out _);
        }

        Assert.Equal(ReplyLineResult.Invalid, result);
    }
}
