using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Smtp.Server;

namespace EmailRelay.Protocol.Tests.Smtp.Server;

public class SmtpCommandParserTests
{
    [Theory]
    [InlineData("HELO", "Helo")]
    [InlineData("ehlo", "Ehlo")]
    [InlineData("MaIl", "Mail")]
    [InlineData("RCPT", "Rcpt")]
    [InlineData("data", "Data")]
    [InlineData("BDAT", "Bdat")]
    [InlineData("rset", "Rset")]
    [InlineData("NOOP", "Noop")]
    [InlineData("quit", "Quit")]
    [InlineData("VRFY", "Vrfy")]
    [InlineData("EXPN", "Expn")]
    [InlineData("help", "Help")]
    [InlineData("AUTH", "Auth")]
    [InlineData("StartTLS", "StartTls")]
    [InlineData("", "Unknown")]
    [InlineData("NOO", "Unknown")]
    [InlineData("NOOPS", "Unknown")]
    [InlineData("N0OP", "Unknown")]
    [InlineData("STARTTLZ", "Unknown")]
    [InlineData("noo\u00f0", "Unknown")]
    [InlineData("GET ", "Unknown")]
    public void Verbs_are_recognised_case_insensitively(string verb, string expected)
    {
        Assert.Equal(expected, SmtpCommandParser.RecogniseVerb(Encoding.UTF8.GetBytes(verb)).ToString());
    }

    [Theory]
    [InlineData("MAIL FROM:<a@b.c>", "a@b.c")]
    [InlineData("mail from:<a@b.c>", "a@b.c")]
    [InlineData("MAIL FROM: <a@b.c>", "a@b.c")]
    [InlineData("MAIL FROM:<>", "")]
    [InlineData("MAIL FROM:<a@b.c> SIZE=100 BODY=8BITMIME", "a@b.c")]
    public void Mail_yields_the_address(string line, string address)
    {
        var command = Parse(line);
        Assert.Equal(SmtpVerb.Mail, command.Verb);
        Assert.Null(command.Error);
        Assert.Equal(address, command.Address);
    }

    [Fact]
    public void Mail_parameters_are_parsed()
    {
        var command = Parse("MAIL FROM:<a@b.c> size=1234 BODY=binarymime AUTH=alice+2Bx SMTPUTF8 X-UNKNOWN=1");
        Assert.Equal(1234, command.Size);
        Assert.Equal(BodyType.BinaryMime, command.Body);
        Assert.Equal("alice+2Bx", command.AuthParameter);
        Assert.True(command.SmtpUtf8);
        Assert.Equal(-1, Parse("MAIL FROM:<a@b.c>").Size);
        Assert.Equal(BodyType.SevenBit, Parse("MAIL FROM:<a@b.c> BODY=7BIT").Body);
        Assert.Equal(BodyType.EightBitMime, Parse("MAIL FROM:<a@b.c> BODY=8bitmime").Body);
        Assert.Equal(BodyType.Unknown, Parse("MAIL FROM:<a@b.c> BODY=9BIT").Body);
        Assert.Equal("", Parse("MAIL FROM:<a@b.c> AUTH=a=b").AuthParameter);
    }

    [Theory]
    [InlineData("MAIL FROM:a@b.c", 553, "mailbox name not allowed: ")]
    [InlineData("MAIL TO:<a@b.c>", 553, "mailbox name not allowed: ")]
    [InlineData("MAIL", 553, "mailbox name not allowed: ")]
    [InlineData("MAIL FROM:<a@b.c> SIZE=x", 553, "mailbox name not allowed: invalid SIZE parameter")]
    [InlineData("MAIL FROM:<a@b.c> SIZE=", 553, "mailbox name not allowed: invalid SIZE parameter")]
    [InlineData("MAIL FROM:<a@b.c> SMTPUTF8=x", 553, "mailbox name not allowed: invalid SMTPUTF8 parameter")]
    [InlineData("RCPT TO:<>", 550, "")]
    [InlineData("RCPT TO:r@d", 550, "")]
    [InlineData("RCPT FROM:<r@d>", 550, "")]
    [InlineData("RCPT", 550, "")]
    [InlineData("BDAT", 501, "invalid argument")]
    [InlineData("BDAT x", 501, "invalid argument")]
    [InlineData("BDAT 0", 501, "invalid argument")]
    [InlineData("BDAT -1", 501, "invalid argument")]
    [InlineData("BDAT 5 FIRST", 501, "invalid argument")]
    [InlineData("EHLO", 501, "parameter required")]
    [InlineData("HELO   ", 501, "parameter required")]
    public void Invalid_arguments_give_the_reference_reply(string line, int code, string textStart)
    {
        var known = SmtpCommandParser.TryParse(Encoding.UTF8.GetBytes(line), SmtpServerPolicy.Default, out var command, out var error);
        Assert.True(known);
        Assert.NotNull(command.Error);
        Assert.Equal(code, error.Code);
        Assert.StartsWith(textStart, error.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("XYZZY")]
    [InlineData("MAILFROM:<a@b>")]
    [InlineData(" MAIL FROM:<a@b>")]
    [InlineData("GET / HTTP/1.1")]
    public void Unknown_verbs_return_false_with_500(string line)
    {
        Assert.False(SmtpCommandParser.TryParse(Encoding.UTF8.GetBytes(line), SmtpServerPolicy.Default, out var command, out var error));
        Assert.Equal(SmtpVerb.Unknown, command.Verb);
        Assert.Equal(SmtpServerReplies.Unrecognized, error);
    }

    [Fact]
    public void Nostrictparsing_accepts_addresses_without_angle_brackets()
    {
        var policy = SmtpServerPolicy.Default with { StrictParsing = false };
        SmtpCommandParser.TryParse("MAIL FROM:a@b.c"u8, policy, out var command, out _);
        Assert.Null(command.Error);
        Assert.Equal("a@b.c", command.Address);
    }

    [Theory]
    [InlineData("BDAT 19", 19, false)]
    [InlineData("bdat 6 last", 6, true)]
    [InlineData("BDAT 0 LAST", 0, true)]
    public void Bdat_yields_size_and_last(string line, long size, bool last)
    {
        var command = Parse(line);
        Assert.Null(command.Error);
        Assert.Equal(size, command.ChunkSize);
        Assert.Equal(last, command.IsLast);
    }

    [Fact]
    public void Hello_vrfy_and_auth_keep_their_argument()
    {
        Assert.Equal("client.example.com", Parse("EHLO client.example.com").Argument);
        Assert.Equal("bob", Parse("VRFY  bob ").Argument);
        Assert.Equal("", Parse("VRFY").Argument);
        Assert.Equal("PLAIN AGFAYg==", Parse("AUTH PLAIN AGFAYg==").Argument);
    }

    [Theory]
    [InlineData("MAIL FROM:<a@b.c> SIZE=100 BODY=8BITMIME AUTH=<> SMTPUTF8")]
    [InlineData("RCPT TO:<@x,@y:u@d.e>")]
    [InlineData("BDAT 100 LAST")]
    [InlineData("EHLO client.example.com")]
    [InlineData("STARTTLS")]
    public void Every_prefix_parses_without_throwing(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        for (var i = 0; i <= bytes.Length; i++)
        {
            var known = SmtpCommandParser.TryParse(bytes.AsSpan(0, i), SmtpServerPolicy.Default, out var command, out _);
            Assert.Equal(known, command.Verb != SmtpVerb.Unknown);
            if (i < 4)
            {
                Assert.False(known);
            }
        }
    }

    [Fact]
    public void Garbage_bytes_never_throw()
    {
        var random = new Random(1234);
        var buffer = new byte[64];
        var prefixes = new[] { "MAIL FROM:"u8.ToArray(), "RCPT TO:"u8.ToArray(), "BDAT "u8.ToArray(), "EHLO "u8.ToArray() };
        for (var i = 0; i < 2000; i++)
        {
            random.NextBytes(buffer);
            var prefix = prefixes[i % prefixes.Length];
            var line = prefix.Concat(buffer.Take(random.Next(buffer.Length))).ToArray();
            Assert.True(SmtpCommandParser.TryParse(line, SmtpServerPolicy.Default, out _, out _));
        }
    }

    private static SmtpCommand Parse(string line)
    {
        SmtpCommandParser.TryParse(Encoding.UTF8.GetBytes(line), SmtpServerPolicy.Default, out var command, out _);
        return command;
    }
}
