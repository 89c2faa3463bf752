using System.Buffers;
using System.Text;
using EmailRelay.Protocol.Smtp;

namespace EmailRelay.Protocol.Tests.Smtp;

public class SmtpReplyTests
{
    [Fact]
    public void Single_line_reply_is_code_space_text_crlf()
    {
        Assert.Equal("250 noop\r\n", Render(SmtpReply.Create(250, "noop")));
        Assert.Equal("250 noop\r\n", Render(SmtpReply.Fixed(250, "noop")));
    }

    [Fact]
    public void Multi_line_reply_uses_dash_then_space()
    {
        var reply = SmtpReply.Create(250, ["vm says hello", "VRFY", "PIPELINING", "8BITMIME"]);
        Assert.Equal("250-vm says hello\r\n250-VRFY\r\n250-PIPELINING\r\n250 8BITMIME\r\n", Render(reply));
        Assert.Equal(Render(reply).Length, reply.EncodedLength);
        Assert.Equal("8BITMIME", reply.Text);
    }

    [Fact]
    public void Fixed_and_created_replies_are_equal()
    {
        Assert.Equal(SmtpReply.Create(221, "OK"), SmtpReply.Fixed(221, "OK"));
        Assert.NotEqual(SmtpReply.Create(221, "OK"), SmtpReply.Create(250, "OK"));
        Assert.Equal("221 OK", SmtpReply.Fixed(221, "OK").ToString());
    }

    private static string Render(SmtpReply reply)
    {
        var writer = new ArrayBufferWriter<byte>();
        reply.WriteTo(writer);
        return Encoding.UTF8.GetString(writer.WrittenSpan);
    }
}
