using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Sasl;
using EmailRelay.Protocol.Smtp;
using EmailRelay.Protocol.Smtp.Client;

namespace EmailRelay.Protocol.Tests.Smtp.Client;

public class SmtpClientSessionTests
{
    private const string FullEhlo = "250-relay.example\n250-8BITMIME\n250-BINARYMIME\n250-CHUNKING\n250-SMTPUTF8\n250 PIPELINING";

    private static readonly OutgoingMessage s_twoRecipients = new("a@x", ["b@y", "c@y"], BodyType.SevenBit, false);

    internal static SmtpReply Parse(string text)
    {
        var reader = new SmtpReplyReader();
        foreach (var line in text.Split('\n'))
        {
            if (reader.Add(line, out var reply) == ReplyLineResult.Complete)
            {
                return reply;
            }
        }

        throw new InvalidOperationException("incomplete reply: " + text);
    }

    /// <summary>Runs one message through a session against a scripted server; returns the client's commands and the outcome.</summary>
    internal static (string Transcript, SendOutcome? Outcome, string? Error) Converse(
        Func<string, string> server, OutgoingMessage message, SmtpClientPolicy? policy = null, string? greeting = "220 hi", IReadOnlyList<Secret>? secrets = null)
    {
        var session = new SmtpClientSession(policy ?? SmtpClientPolicy.Default with { EhloName = "client.example" });
        var log = new List<string>();
        var pending = new Queue<SmtpReply>();
        var step = session.OnGreeting(greeting is null ? null : Parse(greeting));
        var sent = false;
        for (var guard = 0; guard < 100; guard++)
        {
            switch (step.Kind)
            {
                case ClientStepKind.Send:
                    foreach (var command in step.Commands.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
                    {
                        log.Add(command);
                        pending.Enqueue(Parse(server(command)));
                    }

                    step = session.OnReply(pending.Dequeue());
                    break;
                case ClientStepKind.Read:
                    step = session.OnReply(pending.Dequeue());
                    break;
                case ClientStepKind.SendData:
                    log.Add("<data>");
                    step = session.OnReply(Parse(server("<dot>")));
                    break;
                case ClientStepKind.SendChunks:
                    log.Add("<bdat>");
                    step = session.OnChunkReply(Parse(server("<bdat>")), true);
                    break;
                case ClientStepKind.StartTls:
                    log.Add("<tls>");
                    step = session.OnTlsEstablished();
                    break;
                case ClientStepKind.Ready when step.Outcome is null && !sent:
                    sent = true;
                    session.UseSecrets(secrets);
                    step = session.Send(message);
                    break;
                case ClientStepKind.Ready:
                    Assert.Empty(pending);
                    return (string.Join("|", log), step.Outcome, null);
                default:
                    return (string.Join("|", log), step.Outcome, step.Error);
            }
        }

        throw new InvalidOperationException("no end");
    }

    internal static Func<string, string> Server(string ehlo = FullEhlo, Func<string, string?>? special = null) => command =>
        special?.Invoke(command) ?? (command.StartsWith("EHLO", StringComparison.Ordinal) ? ehlo
            : command == "DATA" ? "354 go" : "250 ok");

    [Fact]
    public void A_plain_message_goes_mail_rcpt_data_with_body_7bit()
    {
        var (transcript, outcome, _) = Converse(Server(), s_twoRecipients);
        Assert.Equal("EHLO client.example|MAIL FROM:<a@x> BODY=7BIT|RCPT TO:<b@y>|RCPT TO:<c@y>|DATA|<data>", transcript);
        Assert.True(outcome!.IsComplete);
    }

    [Theory]
    [InlineData(BodyType.Unknown, false, "MAIL FROM:<a@x>")]
    [InlineData(BodyType.SevenBit, false, "MAIL FROM:<a@x> BODY=7BIT")]
    [InlineData(BodyType.EightBitMime, false, "MAIL FROM:<a@x> BODY=8BITMIME")]
    [InlineData(BodyType.EightBitMime, true, "MAIL FROM:<a@x> BODY=8BITMIME SMTPUTF8")]
    [InlineData(BodyType.BinaryMime, true, "MAIL FROM:<a@x> BODY=BINARYMIME SMTPUTF8")]
    [InlineData(BodyType.Unknown, true, "MAIL FROM:<a@x> SMTPUTF8")]
    public void Mail_parameters_follow_the_reference_order(BodyType body, bool utf8, string expectedMail)
    {
        var (transcript, _, _) = Converse(Server(), new OutgoingMessage("a@x", ["b@y"], body, utf8));
        Assert.Equal(expectedMail, transcript.Split('|')[1]);
    }

    [Fact]
    public void Without_authentication_there_is_no_auth_parameter_even_with_mail_from_auth_out()
    {
        var (transcript, _, _) = Converse(Server(), new OutgoingMessage("a@x", ["b@y"], BodyType.SevenBit, true, "<>"));
        Assert.Equal("MAIL FROM:<a@x> BODY=7BIT SMTPUTF8", transcript.Split('|')[1]);
    }

    [Fact]
    public void Binarymime_goes_in_bdat_chunks()
    {
        var (transcript, outcome, _) = Converse(Server(), new OutgoingMessage("a@x", ["b@y"], BodyType.BinaryMime, false));
        Assert.EndsWith("RCPT TO:<b@y>|<bdat>", transcript, StringComparison.Ordinal);
        Assert.True(outcome!.IsComplete);
    }

    [Theory]
    [InlineData(BodyType.BinaryMime, false, SmtpClientSession.BinaryMimeRejected)]
    [InlineData(BodyType.SevenBit, true, SmtpClientSession.SmtpUtf8Rejected)]
    public void Strict_checks_fail_before_mail_against_a_plain_server(BodyType body, bool utf8, string reason)
    {
        var (transcript, outcome, _) = Converse(Server("250 plain"), new OutgoingMessage("a@x", ["b@y"], body, utf8));
        Assert.Equal("EHLO client.example", transcript);
        Assert.Equal(reason, outcome!.Reason);
        Assert.False(outcome.Transient);
    }

    [Fact]
    public void Eight_bit_to_a_seven_bit_server_only_fails_with_eightbitstrict()
    {
        var message = new OutgoingMessage("a@x", ["b@y"], BodyType.EightBitMime, false);
        Assert.True(Converse(Server("250 plain"), message).Outcome!.IsComplete);
        var strict = SmtpClientPolicy.Default with { EightBitStrict = true };
        Assert.Equal(SmtpClientSession.EightBitRejected, Converse(Server("250 plain"), message, strict).Outcome!.Reason);
    }

    [Fact]
    public void Lax_switches_send_without_the_parameters()
    {
        var lax = SmtpClientPolicy.Default with { BinaryMimeStrict = false, SmtpUtf8Strict = false, EhloName = "n.example" };
        var (transcript, outcome, _) = Converse(Server("250 plain"), new OutgoingMessage("a@x", ["b@y"], BodyType.BinaryMime, true), lax);
        Assert.Equal("EHLO n.example|MAIL FROM:<a@x>|RCPT TO:<b@y>|DATA|<data>", transcript);
        Assert.True(outcome!.IsComplete);
    }

    [Theory]
    [InlineData("500 what")]
    [InlineData("501 what")]
    [InlineData("502 what")]
    public void Ehlo_rejected_with_500_501_502_falls_back_to_helo(string ehloReply)
    {
        var (transcript, outcome, _) = Converse(Server(ehloReply), s_twoRecipients);
        Assert.StartsWith("EHLO client.example|HELO client.example|MAIL FROM:<a@x>|", transcript, StringComparison.Ordinal);
        Assert.True(outcome!.IsComplete);
    }

    [Fact]
    public void No_greeting_still_sends_ehlo()
    {
        var (transcript, _, _) = Converse(Server(), s_twoRecipients, greeting: null);
        Assert.StartsWith("EHLO", transcript, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("421 busy", "busy", 421, true)]
    [InlineData("554 go away", "go away", 554, false)]
    [InlineData("300 odd", SmtpClientSession.UnexpectedResponse, 0, false)]
    public void A_bad_greeting_breaks_the_session(string greeting, string reason, int code, bool transient)
    {
        var (_, outcome, error) = Converse(Server(), s_twoRecipients, greeting: greeting);
        Assert.Equal(reason, error);
        Assert.Equal(code, outcome!.ReasonCode);
        Assert.Equal(transient, outcome.Transient);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Mail_rejected_fails_with_the_servers_text_and_code(bool pipelining)
    {
        var policy = SmtpClientPolicy.Default with { Pipelining = pipelining };
        var (transcript, outcome, _) = Converse(Server(special: c => c.StartsWith("MAIL", StringComparison.Ordinal) ? "553 5.1.8 bad sender" : c.StartsWith("RCPT", StringComparison.Ordinal) ? "503 no mail" : null), s_twoRecipients, policy);
        Assert.Equal(pipelining ? 4 : 2, transcript.Split('|').Length);
        Assert.Equal("5.1.8 bad sender", outcome!.Reason);
        Assert.Equal(553, outcome.ReasonCode);
        Assert.Equal(["b@y", "c@y"], outcome.Undelivered);
    }

    [Theory]
    [InlineData(false, "550 no such user", "RSET", false, "b@y,c@y", SmtpClientSession.SomeRecipientsRejected, 550)]
    [InlineData(false, "450 try later", "RSET", false, "b@y,c@y", SmtpClientSession.SomeRecipientsRejected, 450)]
    [InlineData(true, "550 no such user", "DATA|<data>", true, "c@y", SmtpClientSession.SomeRecipientsRejected, 0)]
    public void One_rejected_recipient(bool forwardToSome, string rejection, string tail, bool delivered, string undelivered, string reason, int code)
    {
        var policy = SmtpClientPolicy.Default with { ForwardToSome = forwardToSome };
        var (transcript, outcome, _) = Converse(Server(special: c => c == "RCPT TO:<c@y>" ? rejection : null), s_twoRecipients, policy);
        Assert.EndsWith("RCPT TO:<c@y>|" + tail, transcript, StringComparison.Ordinal);
        Assert.Equal(delivered, outcome!.Delivered);
        Assert.Equal(undelivered, string.Join(",", outcome.Undelivered));
        Assert.Equal(reason, outcome.Reason);
        Assert.Equal(code, outcome.ReasonCode);
        Assert.Equal(rejection.StartsWith('4'), outcome.Transient);
    }

    [Theory]
    [InlineData(false, SmtpClientSession.SomeRecipientsRejected)]
    [InlineData(true, SmtpClientSession.AllRecipientsRejected)]
    public void All_recipients_rejected_resets_and_fails(bool forwardToSome, string reason)
    {
        var policy = SmtpClientPolicy.Default with { ForwardToSome = forwardToSome };
        var (transcript, outcome, _) = Converse(Server(special: c => c.StartsWith("RCPT", StringComparison.Ordinal) ? (c.Contains('b') ? "450 later" : "550 never") : null), s_twoRecipients, policy);
        Assert.EndsWith("|RSET", transcript, StringComparison.Ordinal);
        Assert.Equal(reason, outcome!.Reason);
        Assert.Equal(550, outcome.ReasonCode);
        Assert.False(outcome.Transient);
    }

    [Fact]
    public void Pipelining_sends_mail_and_rcpts_in_one_write_only_when_both_sides_want_it()
    {
        var session = new SmtpClientSession(SmtpClientPolicy.Default with { Pipelining = true });
        session.OnGreeting(Parse("220 x"));
        session.OnReply(Parse(FullEhlo));
        var step = session.Send(s_twoRecipients);
        Assert.Equal("MAIL FROM:<a@x> BODY=7BIT\r\nRCPT TO:<b@y>\r\nRCPT TO:<c@y>\r\n", step.Commands);
        Assert.Equal(ClientStepKind.Read, session.OnReply(Parse("250 ok")).Kind);
        Assert.Equal(ClientStepKind.Read, session.OnReply(Parse("250 ok")).Kind);
        Assert.Equal("DATA\r\n", session.OnReply(Parse("250 ok")).Commands);

        var plain = new SmtpClientSession(SmtpClientPolicy.Default);
        plain.OnGreeting(Parse("220 x"));
        plain.OnReply(Parse(FullEhlo));
        Assert.Equal("MAIL FROM:<a@x> BODY=7BIT\r\n", plain.Send(s_twoRecipients).Commands);
    }

    [Theory]
    [InlineData("DATA", "451 local error", 451, true, "|RSET")]
    [InlineData("DATA", "554 no data", 554, false, "|RSET")]
    [InlineData("<dot>", "554 5.7.1 spam", 554, false, "|<data>")]
    [InlineData("<dot>", "452 full", 452, true, "|<data>")]
    public void Data_or_dot_rejected_fails_with_the_servers_text_and_code(string at, string reply, int code, bool transient, string tail)
    {
        var (transcript, outcome, _) = Converse(Server(special: c => c == at ? reply : null), s_twoRecipients);
        Assert.EndsWith(tail, transcript, StringComparison.Ordinal);
        Assert.Equal(reply[4..], outcome!.Reason);
        Assert.Equal(code, outcome.ReasonCode);
        Assert.Equal(transient, outcome.Transient);
        Assert.False(outcome.Delivered);
    }

    [Theory]
    [InlineData("MAIL FROM:<a@x> BODY=7BIT")]
    [InlineData("RCPT TO:<b@y>")]
    [InlineData("DATA")]
    [InlineData("<dot>")]
    public void A_reply_of_the_wrong_class_is_an_unexpected_response(string at)
    {
        var (_, outcome, error) = Converse(Server(special: c => c == at ? (at == "DATA" ? "250 huh" : "354 huh") : null), s_twoRecipients);
        Assert.Equal(SmtpClientSession.UnexpectedResponse, error);
        Assert.Equal(SmtpClientSession.UnexpectedResponse, outcome!.Reason);
    }

    [Fact]
    public void The_session_is_reused_after_a_failure_and_quits()
    {
        var session = new SmtpClientSession(SmtpClientPolicy.Default);
        session.OnGreeting(Parse("220 x"));
        session.OnReply(Parse("250 x"));
        session.Send(s_twoRecipients);
        var step = session.OnReply(Parse("550 no"));
        Assert.Equal(ClientStepKind.Ready, step.Kind);
        Assert.True(session.IsReady);
        Assert.Equal("QUIT\r\n", session.Quit().Commands);
        var close = session.OnReply(Parse("221 bye"));
        Assert.Equal(ClientStepKind.Close, close.Kind);
        Assert.False(close.IsBroken);
    }

    [Fact]
    public void A_lost_connection_is_transient()
    {
        var session = new SmtpClientSession(SmtpClientPolicy.Default);
        session.OnGreeting(Parse("220 x"));
        session.OnReply(Parse("250 x"));
        session.Send(s_twoRecipients);
        var step = session.OnConnectionLost("response timeout after 300s");
        Assert.True(step.IsBroken);
        Assert.True(step.Outcome!.Transient);
        Assert.Equal(["b@y", "c@y"], step.Outcome.Undelivered);
    }

    [Theory]
    [InlineData("relay.example.com", "127.0.0.1", "relay.example.com")]
    [InlineData("localhost", "127.0.0.1", "127.0.0.1")]
    [InlineData("host", "[::1]", "::1")]
    [InlineData("host", "::1", "::1")]
    public void Ehlo_name_is_the_domain_if_it_has_a_dot_else_the_local_address(string domain, string local, string expected) =>
        Assert.Equal(expected, SmtpClientPolicy.EhloNameFor(domain, local));
}
