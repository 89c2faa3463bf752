using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Smtp;
using EmailRelay.Protocol.Smtp.Server;

namespace EmailRelay.Protocol.Tests.Smtp.Server;

public class SmtpServerSessionTests
{
    private static readonly Dictionary<string, string[]> s_setups = new()
    {
        ["connected"] = [],
        ["ready"] = ["EHLO c"],
        ["mail"] = ["EHLO c", "MAIL FROM:<a@b.c>"],
        ["rcpt"] = ["EHLO c", "MAIL FROM:<a@b.c>", "RCPT TO:<r@d.e>"],
    };

    [Theory]
    [InlineData("connected", "NOOP", 250, "Connected")]
    [InlineData("connected", "RSET", 250, "Connected")]
    [InlineData("connected", "HELP", 502, "Connected")]
    [InlineData("connected", "EXPN x", 502, "Connected")]
    [InlineData("connected", "AUTH PLAIN", 502, "Connected")]
    [InlineData("connected", "STARTTLS", 500, "Connected")]
    [InlineData("connected", "BDAT 10", 500, "Connected")]
    [InlineData("connected", "XYZZ", 500, "Connected")]
    [InlineData("connected", "MAIL FROM:<a@b.c>", 503, "Connected")]
    [InlineData("connected", "RCPT TO:<a@b.c>", 503, "Connected")]
    [InlineData("connected", "DATA", 503, "Connected")]
    [InlineData("connected", "VRFY bob", 252, "Connected")]
    [InlineData("connected", "VRFY", 550, "Connected")]
    [InlineData("connected", "EHLO c", 250, "Ready")]
    [InlineData("connected", "HELO c", 250, "Ready")]
    [InlineData("connected", "EHLO", 501, "Connected")]
    [InlineData("connected", "QUIT", 221, "Closed")]
    [InlineData("ready", "MAIL FROM:<a@b.c>", 250, "Mail")]
    [InlineData("ready", "MAIL FROM:<>", 250, "Mail")]
    [InlineData("ready", "MAIL FROM:a@b.c", 553, "Ready")]
    [InlineData("ready", "RCPT TO:<a@b.c>", 503, "Ready")]
    [InlineData("ready", "DATA", 503, "Ready")]
    [InlineData("ready", "RSET", 250, "Ready")]
    [InlineData("ready", "EHLO d", 250, "Ready")]
    [InlineData("ready", "QUIT", 221, "Closed")]
    [InlineData("mail", "MAIL FROM:<a@b.c>", 503, "Mail")]
    [InlineData("mail", "RCPT TO:<r@d.e>", 250, "Mail")]
    [InlineData("mail", "RCPT TO:<>", 550, "Mail")]
    [InlineData("mail", "DATA", 554, "Ready")]
    [InlineData("mail", "RSET", 250, "Ready")]
    [InlineData("mail", "EHLO c", 250, "Ready")]
    [InlineData("mail", "NOOP", 250, "Mail")]
    [InlineData("rcpt", "RCPT TO:<s@d.e>", 250, "Mail")]
    [InlineData("rcpt", "DATA", 354, "Data")]
    [InlineData("rcpt", "RSET", 250, "Ready")]
    [InlineData("rcpt", "HELO c", 250, "Ready")]
    [InlineData("rcpt", "MAIL FROM:<a@b.c>", 503, "Mail")]
    [InlineData("rcpt", "QUIT", 221, "Closed")]
    public void Transition_table(string setup, string line, int code, string state)
    {
        var harness = new SessionHarness();
        foreach (var s in s_setups[setup])
        {
            Assert.False(harness.Send(s)[^1].IsError);
        }

        Assert.Equal(code, harness.Last(line).Code);
        Assert.Equal(state, harness.Session.State.ToString());
    }

    [Theory]
    [InlineData("DATA", 503, "Chunking")]
    [InlineData("MAIL FROM:<a@b.c>", 503, "Chunking")]
    [InlineData("RCPT TO:<s@d.e>", 503, "Chunking")]
    [InlineData("BDAT 0", 501, "Chunking")]
    [InlineData("NOOP", 250, "Chunking")]
    [InlineData("RSET", 250, "Ready")]
    [InlineData("EHLO c", 250, "Ready")]
    [InlineData("QUIT", 221, "Closed")]
    public void Transition_table_between_bdat_chunks(string line, int code, string state)
    {
        var harness = new SessionHarness(SmtpServerPolicy.Default with { Chunking = true });
        harness.Send("EHLO c");
        harness.Send("MAIL FROM:<a@b.c>");
        harness.Send("RCPT TO:<r@d.e>");
        harness.Send("BDAT 3");
        Assert.Equal(250, harness.EndData()[^1].Code);
        Assert.Equal(code, harness.Last(line).Code);
        Assert.Equal(state, harness.Session.State.ToString());
    }

    [Fact]
    public void Overlong_lines_count_towards_the_error_limit()
    {
        var harness = new SessionHarness(SmtpServerPolicy.Default with { ClientErrorLimit = 2 });
        Assert.Equal("500 line too long", Assert.Single(harness.Run(harness.Session.HandleOverlongLine())).ToString());
        Assert.Equal([500, 421], harness.Run(harness.Session.HandleOverlongLine()).Select(r => r.Code));
        Assert.Equal(InputMode.Closed, harness.Session.InputMode);
    }

    [Fact]
    public void Greeting_and_replies_match_the_reference_texts()
    {
        var harness = new SessionHarness();
        Assert.Equal("220 vm -- E-MailRelay V2.6.1 -- Service ready", harness.Steps[0].Reply.ToString());
        Assert.Equal("250-vm says hello\r\n250-VRFY\r\n250-PIPELINING\r\n250 8BITMIME", harness.Last("EHLO client").ToString());
        Assert.Equal("250 sender <a@b.c> OK", harness.Last("MAIL FROM:<a@b.c>").ToString());
        Assert.Equal("250 recipient <r@d.e> OK", harness.Last("RCPT TO:<r@d.e>").ToString());
        Assert.Equal("354 start mail input -- end with <CRLF>.<CRLF>", harness.Last("DATA").ToString());
        Assert.Equal("250 message processed", harness.EndData()[^1].ToString());
        Assert.Equal("250 noop", harness.Last("NOOP").ToString());
        Assert.Equal("250 state reset", harness.Last("RSET").ToString());
        Assert.Equal("503 command out of sequence -- use RSET to resynchronise", harness.Last("DATA").ToString());
        Assert.Equal("502 command not implemented", harness.Last("HELP").ToString());
        Assert.Equal("500 command unrecognized", harness.Last("BDAT 1").ToString());
        Assert.Equal("252 cannot verify but will accept: x@y", harness.Last("VRFY x@y").ToString());
        Assert.Equal("250 hello", harness.Last("HELO c").ToString());
        Assert.Equal("221 OK", harness.Last("QUIT").ToString());
        Assert.Equal(InputMode.Closed, harness.Session.InputMode);
    }

    [Fact]
    public void Ehlo_lists_every_extension_in_the_reference_order()
    {
        var harness = new SessionHarness(SmtpServerPolicy.Default with
        {
            Domain = "vm", MaxMessageSize = 1000, AuthMechanisms = ["PLAIN", "LOGIN"], TlsOffered = true, Chunking = true, SmtpUtf8 = true,
        });
        var reply = harness.Last("EHLO c");
        Assert.Equal(["vm says hello", "SIZE 1000", "AUTH PLAIN LOGIN", "STARTTLS", "VRFY", "CHUNKING", "BINARYMIME", "PIPELINING", "SMTPUTF8", "8BITMIME"], reply.Lines);
    }

    [Fact]
    public void Anonymous_server_and_vrfy_change_greeting_ehlo_and_vrfy()
    {
        var harness = new SessionHarness(SmtpServerPolicy.Default with { AnonymousServer = true, AnonymousVrfy = true, Pipelining = false });
        Assert.Equal("220 greeting", harness.Steps[0].Reply.ToString());
        Assert.Equal(["smtp says hello", "8BITMIME"], harness.Last("EHLO c").Lines);
        Assert.Equal("252 cannot vrfy", harness.Last("VRFY bob").ToString());
    }

    [Fact]
    public void Disabled_server_greets_and_answers_mail_with_421()
    {
        var harness = new SessionHarness(SmtpServerPolicy.Default with { Enabled = false });
        Assert.Equal("421 service not available", harness.Steps[0].Reply.ToString());
        harness.Send("EHLO c");
        Assert.Equal("421 service not available", harness.Last("MAIL FROM:<a@b.c>").ToString());
    }

    [Fact]
    public void Eighth_protocol_error_replies_421_and_closes()
    {
        var harness = new SessionHarness();
        for (var i = 1; i < 8; i++)
        {
            Assert.Equal(500, harness.Last("BOGUS").Code);
        }

        var replies = harness.Send("DATA");
        Assert.Equal([503, 421], replies.Select(r => r.Code));
        Assert.IsType<SessionOperation.Close>(harness.Steps[^1].Operation);
        Assert.Equal(SessionEventKind.ErrorLimitReached, harness.Steps[^1].Event.Kind);
        Assert.Equal(InputMode.Closed, harness.Session.InputMode);
    }

    [Fact]
    public void Size_parameter_over_the_limit_gets_552()
    {
        var harness = new SessionHarness(SmtpServerPolicy.Default with { MaxMessageSize = 100 });
        harness.Send("EHLO c");
        Assert.Equal("552 message size exceeds fixed maximum message size", harness.Last("MAIL FROM:<a@b.c> SIZE=101").ToString());
        Assert.Equal(250, harness.Last("MAIL FROM:<a@b.c> SIZE=100").Code);
    }

    [Theory]
    [InlineData("TooBig", "552 message size exceeds fixed maximum message size")]
    [InlineData("BareNewline", "550 5.5.2 bare CR or LF not allowed")]
    public void Bad_data_ends_the_transaction_without_commit(string outcome, string reply)
    {
        var harness = Transaction();
        Assert.Equal(reply, harness.EndData(Enum.Parse<DataOutcome>(outcome))[^1].ToString());
        Assert.Null(harness.Committed);
        Assert.True(harness.Steps[^1].EndsMessage);
        Assert.Equal(SmtpServerState.Ready, harness.Session.State);
    }

    [Fact]
    public void Commit_builds_the_envelope_from_the_transaction()
    {
        var harness = new SessionHarness();
        harness.Verifier = a => a.StartsWith("local", StringComparison.Ordinal)
            ? new VerifierResult(VerifierStatus.Local, "", "mbox", "Full Name", "", "")
            : VerifierResult.AcceptRemote(a.ToUpperInvariant());
        harness.Send("EHLO c");
        harness.Send("MAIL FROM:<a@b.c> BODY=8BITMIME AUTH=<>");
        Assert.Equal("250 recipient <local@x>  OK", harness.Last("RCPT TO:<local@x>").ToString());
        harness.Send("RCPT TO:<r@d.e>");
        harness.Send("DATA");
        harness.EndData();
        var envelope = Assert.IsType<Envelope>(harness.Committed);
        Assert.Equal("a@b.c", envelope.From);
        Assert.Equal(["mbox"], envelope.ToLocal);
        Assert.Equal(["R@D.E"], envelope.ToRemote);
        Assert.Equal(BodyType.EightBitMime, envelope.Body);
        Assert.Equal("127.0.0.1", envelope.ClientAddress);
        Assert.Equal("<>", envelope.MailFromAuthIn);
    }

    [Fact]
    public void Filter_failure_reply_is_sent_and_transaction_cleared()
    {
        var harness = Transaction();
        harness.CommitResult = OperationResult.Failure(SmtpReply.Create(553, "rejected by test filter"));
        Assert.Equal("553 rejected by test filter", harness.EndData()[^1].ToString());
        Assert.Equal(503, harness.Last("RCPT TO:<r@d.e>").Code);
    }

    [Theory]
    [InlineData(VerifierStatus.TemporaryFailure, "", "450 mailbox unavailable")]
    [InlineData(VerifierStatus.PermanentFailure, "no such user", "550 no such user")]
    public void Rejected_recipient_gets_verifier_reply_and_event(VerifierStatus status, string response, string reply)
    {
        var harness = new SessionHarness { Verifier = a => new VerifierResult(status, "", "", "", response, "because") };
        harness.Send("EHLO c");
        harness.Send("MAIL FROM:<a@b.c>");
        Assert.Equal(reply, harness.Last("RCPT TO:<r@d.e>").ToString());
        Assert.Equal(new SessionEvent(SessionEventKind.RecipientRejected, "r@d.e", reply[4..], "because"), harness.Steps[^1].Event);
        Assert.Equal("554 no valid recipients", harness.Last("DATA").ToString());
        Assert.Equal(503, harness.Last("RCPT TO:<r@d.e>").Code);
    }

    [Fact]
    public void Verifier_abort_closes_without_a_reply()
    {
        var harness = new SessionHarness { Verifier = _ => new VerifierResult(VerifierStatus.Abort, "", "", "", "", "") };
        harness.Send("EHLO c");
        harness.Send("MAIL FROM:<a@b.c>");
        Assert.Empty(harness.Send("RCPT TO:<r@d.e>"));
        Assert.IsType<SessionOperation.Close>(harness.Operations[^1]);
        Assert.Equal(InputMode.Closed, harness.Session.InputMode);
    }

    [Fact]
    public void Vrfy_reports_local_full_name()
    {
        var harness = new SessionHarness { Verifier = _ => new VerifierResult(VerifierStatus.Local, "", "bob", "Bob Smith", "", "") };
        Assert.Equal("250 Bob Smith", harness.Last("VRFY bob").ToString());
        var op = Assert.IsType<SessionOperation.VerifyRecipient>(harness.Operations[^1]);
        Assert.True(op.IsVrfy);
        Assert.Equal("", op.From);
    }

    [Fact]
    public void Handle_while_an_operation_is_pending_throws()
    {
        var harness = new SessionHarness();
        harness.Send("EHLO c");
        SmtpCommandParser.TryParse("MAIL FROM:<a@b.c>"u8, SmtpServerPolicy.Default, out var mail, out _);
        var step = harness.Session.Handle(mail);
        Assert.IsType<SessionOperation.BeginMessage>(step.Operation);
        Assert.True(harness.Session.IsBusy);
        SmtpCommandParser.TryParse("NOOP"u8, SmtpServerPolicy.Default, out var noop, out _);
        Assert.Throws<InvalidOperationException>(() => harness.Session.Handle(noop));
        Assert.Equal(250, harness.Session.Complete(OperationResult.Success).Reply!.Value.Code);
    }

    [Fact]
    public void Begin_message_failure_is_replied_and_transaction_not_started()
    {
        var harness = new SessionHarness { BeginResult = OperationResult.Failure(SmtpServerReplies.DiskFull) };
        harness.Send("EHLO c");
        Assert.Equal(452, harness.Last("MAIL FROM:<a@b.c>").Code);
        Assert.Equal(SmtpServerState.Ready, harness.Session.State);
    }

    [Fact]
    public void Data_step_carries_the_received_line()
    {
        var harness = new SessionHarness();
        harness.Send("EHLO client.example.com");
        harness.Send("MAIL FROM:<a@b.c>");
        harness.Send("RCPT TO:<r@d.e>");
        harness.Send("DATA");
        Assert.Equal(
            "Received: from client.example.com ([127.0.0.1]) by vm with ESMTP ; Tue, 24 Nov 2026 02:22:19 +0000\r\n",
            Encoding.UTF8.GetString(harness.Steps[^1].ContentPrefix!));
        Assert.Equal(InputMode.Data, harness.Session.InputMode);
    }

    [Fact]
    public void Anonymous_content_suppresses_the_received_line()
    {
        var harness = Transaction(SmtpServerPolicy.Default with { AnonymousContent = true });
        Assert.Null(harness.Steps.Last(s => s.Reply?.Code == 354).ContentPrefix);
    }

    [Fact]
    public void Received_line_format_with_tls_and_auth()
    {
        var now = new DateTimeOffset(2026, 1, 5, 9, 8, 7, TimeSpan.FromHours(-5.5));
        Assert.Equal(
            "Received: from h ([::1]) by d with ESMTPSA tls TLS_AES_256_GCM_SHA384 ; Mon, 5 Jan 2026 09:08:07 -0530\r\n",
            ReceivedLine.Format("h", "::1", "d", new TlsInfo("TLS_AES_256_GCM_SHA384"), authenticated: true, now));
    }

    [Fact]
    public void Bdat_chunks_count_bytes_then_commit_on_last()
    {
        var harness = new SessionHarness(SmtpServerPolicy.Default with { Chunking = true });
        harness.Send("EHLO c");
        Assert.Equal(503, harness.Last("BDAT 5").Code);
        harness.Send("MAIL FROM:<a@b.c> BODY=BINARYMIME");
        Assert.Equal("554 no valid recipients", harness.Last("BDAT 5").ToString());
        harness.Send("MAIL FROM:<a@b.c> BODY=BINARYMIME");
        harness.Send("RCPT TO:<r@d.e>");
        Assert.Equal("503 invalid data command with binarymime -- use RSET to resynchronise", harness.Last("DATA").ToString());
        Assert.Empty(harness.Send("BDAT 19"));
        Assert.NotNull(harness.Steps[^1].ContentPrefix);
        Assert.Equal(InputMode.Chunk, harness.Session.InputMode);
        Assert.Equal(19, harness.Session.ChunkSize);
        Assert.Equal("250 19 bytes received", harness.EndData()[^1].ToString());
        Assert.Equal("501 invalid argument", harness.Last("BDAT 0").ToString());
        Assert.Empty(harness.Send("BDAT 6 LAST"));
        Assert.Null(harness.Steps[^1].ContentPrefix);
        Assert.Equal("250 message processed", harness.EndData()[^1].ToString());
        Assert.NotNull(harness.Committed);
    }

    [Fact]
    public void Bdat_too_big_is_reported_at_the_last_chunk()
    {
        var harness = new SessionHarness(SmtpServerPolicy.Default with { Chunking = true });
        harness.Send("EHLO c");
        harness.Send("MAIL FROM:<a@b.c>");
        harness.Send("RCPT TO:<r@d.e>");
        harness.Send("BDAT 10");
        Assert.Equal(250, harness.EndData(DataOutcome.TooBig)[^1].Code);
        harness.Send("BDAT 1 LAST");
        Assert.Equal(552, harness.EndData()[^1].Code);
        Assert.Null(harness.Committed);
    }

    [Fact]
    public void Pipelining_flush_decisions_follow_rfc_2920()
    {
        var harness = Transaction();
        bool FlushOf(string line)
        {
            harness.Send(line);
            return harness.Steps[^1].Flush;
        }

        Assert.False(harness.Steps.Single(s => s.Reply?.Text.StartsWith("sender", StringComparison.Ordinal) == true).Flush);
        Assert.False(harness.Steps.Single(s => s.Reply?.Text.StartsWith("recipient", StringComparison.Ordinal) == true).Flush);
        Assert.True(harness.Steps.Single(s => s.Reply?.Code == 354).Flush);
        harness.EndData();
        Assert.False(harness.Steps[^1].Flush);
        Assert.False(FlushOf("RSET"));
        Assert.True(FlushOf("NOOP"));
        Assert.True(FlushOf("EHLO c"));
        Assert.True(FlushOf("VRFY x"));
        Assert.True(FlushOf("XYZZ"));
        Assert.True(FlushOf("QUIT"));
    }

    [Fact]
    public void Without_pipelining_every_reply_is_flushed()
    {
        var harness = Transaction(SmtpServerPolicy.Default with { Pipelining = false });
        harness.EndData();
        harness.Send("RSET");
        Assert.All(harness.Steps.Where(s => s.Reply is not null), s => Assert.True(s.Flush));
    }

    [Fact]
    public void Tls_established_forgets_ehlo()
    {
        var harness = new SessionHarness(SmtpServerPolicy.Default with { TlsOffered = true });
        harness.Send("EHLO c");
        Assert.Equal("220 ready to start tls", harness.Last("STARTTLS").ToString());
        Assert.IsType<SessionOperation.StartTls>(harness.Operations[^1]);
        harness.Run(harness.Session.TlsEstablished(new TlsInfo("X")));
        Assert.Equal(SmtpServerState.Connected, harness.Session.State);
        Assert.DoesNotContain("STARTTLS", harness.Last("EHLO c").Lines);
        Assert.Equal(500, harness.Last("STARTTLS").Code);
    }

    [Fact]
    public void Smtputf8strict_rejects_utf8_local_parts_without_the_parameter()
    {
        var harness = new SessionHarness(SmtpServerPolicy.Default with { SmtpUtf8 = true, SmtpUtf8Strict = true });
        harness.Send("EHLO c");
        Assert.Equal("553 mailbox name not allowed: not using smptutf8", harness.Last("MAIL FROM:<j\u00f6rg@b.c>").ToString());
        Assert.Equal(250, harness.Last("MAIL FROM:<a@b.c>").Code);
        Assert.Equal(550, harness.Last("RCPT TO:<j\u00f6rg@b.c>").Code);
    }

    [Fact]
    public void Empty_return_path_raises_an_event()
    {
        var harness = new SessionHarness();
        harness.Send("EHLO c");
        Assert.Equal("250 sender <> OK", harness.Last("MAIL FROM:<>").ToString());
        Assert.Equal(SessionEventKind.EmptyReturnPath, harness.Steps[^1].Event.Kind);
    }

    private static SessionHarness Transaction(SmtpServerPolicy? policy = null)
    {
        var harness = new SessionHarness(policy);
        harness.Send("EHLO c");
        harness.Send("MAIL FROM:<a@b.c>");
        harness.Send("RCPT TO:<r@d.e>");
        Assert.Equal(354, harness.Last("DATA").Code);
        return harness;
    }
}
