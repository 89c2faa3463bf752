using System.Text;
using EmailRelay.Net;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Smtp.Server;

namespace EmailRelay.Core.Tests.Smtp.Server;

public class SmtpServerConnectionTests
{
    private const string Received = "Received: from client.example.com ([127.0.0.1]) by vm with ESMTP ; Tue, 24 Nov 2026 02:22:19 +0000\r\n";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Full_transaction_is_stored_with_received_line_and_unstuffed_dots(bool byteAtATime)
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime);
        await h.Client.SendAsync("EHLO client.example.com");
        await h.Client.ExpectAsync("250-vm says hello");
        await h.Client.ExpectAsync("250-VRFY");
        await h.Client.ExpectAsync("250-PIPELINING");
        await h.Client.ExpectAsync("250 8BITMIME");
        await h.Client.SendAsync("MAIL FROM:<a@b.c>");
        await h.Client.ExpectAsync("250 sender <a@b.c> OK");
        await h.Client.SendAsync("RCPT TO:<r@d.e>");
        await h.Client.ExpectAsync("250 recipient <r@d.e> OK");
        await h.Client.SendAsync("DATA");
        await h.Client.ExpectAsync("354 start mail input -- end with <CRLF>.<CRLF>");
        await h.Client.SendRawAsync("Subject: hi\r\n\r\n..dot\r\nbody\r\n.\r\n"u8.ToArray());
        await h.Client.ExpectAsync("250 message processed");
        await h.Client.SendAsync("QUIT");
        await h.Client.ExpectAsync("221 OK");
        await h.Client.ExpectClosedAsync();
        await h.ServerEndedAsync();
        Assert.Equal(Received + "Subject: hi\r\n\r\n.dot\r\nbody\r\n", h.CommittedContent());
        var envelope = h.Spool.GetEnvelope(h.Committed()[0])!;
        Assert.Equal("a@b.c", envelope.From);
        Assert.Equal(["r@d.e"], envelope.ToRemote);
        Assert.Equal("127.0.0.1", envelope.ClientAddress);
        Assert.Contains(h.Logger.Lines, l => l == "Information: smtp connection from 127.0.0.1:40630");
        Assert.Contains(h.Logger.Lines, l => l == "Debug: rx<<: \"MAIL FROM:<a@b.c>\"");
        Assert.Contains(h.Logger.Lines, l => l == "Debug: tx>>: \"250 sender <a@b.c> OK\"");
        Assert.Contains(h.Logger.Lines, l => l == "Information: smtp connection closed: smtp protocol done");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Pipelined_transaction_is_answered_in_order(bool byteAtATime)
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime);
        await h.Client.SendBatchAsync("EHLO client.example.com", "MAIL FROM:<a@b.c>", "RCPT TO:<r@d.e>", "RCPT TO:<s@d.e>", "DATA");
        await h.Client.ExpectCodeAsync(250);
        await h.Client.ExpectAsync("250 sender <a@b.c> OK");
        await h.Client.ExpectAsync("250 recipient <r@d.e> OK");
        await h.Client.ExpectAsync("250 recipient <s@d.e> OK");
        await h.Client.ExpectCodeAsync(354);
        await h.Client.SendBatchAsync("x", ".", "QUIT");
        await h.Client.ExpectAsync("250 message processed");
        await h.Client.ExpectAsync("221 OK");
        await h.Client.ExpectClosedAsync();
        Assert.Equal(Received + "x\r\n", h.CommittedContent());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rset_new_mail_and_disconnect_remove_the_partial_message(bool byteAtATime)
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime);
        await h.EhloMailRcptAsync();
        Assert.Equal(1, h.Spool.Count);
        await h.Client.SendAsync("RSET");
        await h.Client.ExpectAsync("250 state reset");
        Assert.Equal(0, h.Spool.Count);
        await h.Client.SendAsync("MAIL FROM:<a@b.c>");
        await h.Client.ExpectCodeAsync(250);
        await h.Client.SendAsync("EHLO again");
        await h.Client.ExpectCodeAsync(250);
        Assert.Equal(0, h.Spool.Count);
        await h.Client.SendAsync("MAIL FROM:<a@b.c>");
        await h.Client.ExpectCodeAsync(250);
        await h.Client.SendAsync("RCPT TO:<r@d.e>");
        await h.Client.ExpectCodeAsync(250);
        await h.Client.SendAsync("DATA");
        await h.Client.ExpectCodeAsync(354);
        await h.Client.SendAsync("partial content");
        await h.Client.DisconnectAsync();
        await h.Client.ExpectClosedAsync();
        await h.ServerEndedAsync();
        Assert.Equal(0, h.Spool.Count);
    }

    [Fact]
    public async Task Ten_thousand_pipelined_noops_are_answered_in_order()
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime: false);
        var lines = Enumerable.Range(0, 10_000).Select(_ => "NOOP").Append("QUIT").ToArray();
        var send = h.Client.SendBatchAsync(lines);
        for (var i = 0; i < 10_000; i++)
        {
            await h.Client.ExpectAsync("250 noop");
        }

        await h.Client.ExpectAsync("221 OK");
        await send;
        await h.Client.ExpectClosedAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Overlong_command_line_is_drained_and_answered(bool byteAtATime)
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime, limits: RelayLimits.Default with { MaxCommandLineLength = 100 });
        await h.Client.SendAsync("NOOP " + new string('x', 95));
        await h.Client.ExpectAsync("500 line too long");
        await h.Client.SendAsync("NOOP " + new string('x', 93));
        await h.Client.ExpectAsync("250 noop");
        await h.Client.SendAsync("NOOP " + new string('x', 1000));
        await h.Client.ExpectAsync("500 line too long");
        await h.Client.SendAsync("NOOP");
        await h.Client.ExpectAsync("250 noop");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Data_over_size_limit_is_drained_then_rejected_with_552(bool byteAtATime)
    {
        var policy = SmtpServerPolicy.Default with { Domain = "vm", MaxMessageSize = Received.Length + 10 };
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime, policy);
        await h.EhloMailRcptAsync();
        await h.Client.SendAsync("DATA");
        await h.Client.ExpectCodeAsync(354);
        await h.Client.SendRawAsync(Encoding.ASCII.GetBytes("12345678\r\n" + "x\r\n.\r\n"));
        await h.Client.ExpectAsync("552 message size exceeds fixed maximum message size");
        Assert.Equal(0, h.Spool.Count);
        await h.Client.SendAsync("MAIL FROM:<a@b.c>");
        await h.Client.ExpectCodeAsync(250);
        await h.Client.SendAsync("RCPT TO:<r@d.e>");
        await h.Client.ExpectCodeAsync(250);
        await h.Client.SendAsync("DATA");
        await h.Client.ExpectCodeAsync(354);
        await h.Client.SendRawAsync("12345678\r\n.\r\n"u8.ToArray());
        await h.Client.ExpectAsync("250 message processed");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Bdat_chunks_are_stored_raw(bool byteAtATime)
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime, SmtpServerPolicy.Default with { Domain = "vm", Chunking = true });
        await h.EhloMailRcptAsync();
        await h.Client.SendRawAsync("BDAT 19\r\n.line one\r\nline two"u8.ToArray());
        await h.Client.ExpectAsync("250 19 bytes received");
        await h.Client.SendRawAsync("BDAT 7 LAST\r\n\r\nend\r\nNOOP\r\n"u8.ToArray());
        await h.Client.ExpectAsync("250 message processed");
        await h.Client.ExpectAsync("250 noop");
        Assert.Equal(Received + ".line one\r\nline two\r\nend\r\n", h.CommittedContent());
    }

    [Theory]
    [InlineData(false, 553, "rejected by test filter", "553 rejected by test filter")]
    [InlineData(true, 0, "rejected", "452 rejected")]
    public async Task Filter_failure_is_replied_and_message_removed(bool byteAtATime, int code, string response, string reply)
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime);
        h.FilterResult = new FilterResult(FilterOutcome.Fail, false, response, code, "the reason");
        await h.EhloMailRcptAsync();
        await h.Client.SendBatchAsync("DATA");
        await h.Client.ExpectCodeAsync(354);
        await h.Client.SendBatchAsync("hello", ".");
        await h.Client.ExpectAsync(reply);
        Assert.Equal(0, h.Spool.Count);
        Assert.Contains(h.Logger.Lines, l => l == "Information: rejected by filter: [the reason]");
    }

    [Fact]
    public async Task Filter_abandon_and_rescan_still_reply_250()
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime: false);
        h.FilterResult = new FilterResult(FilterOutcome.Abandon, true, "", 0, "");
        await h.EhloMailRcptAsync();
        await h.Client.SendAsync("DATA");
        await h.Client.ExpectCodeAsync(354);
        await h.Client.SendBatchAsync("hello", ".");
        await h.Client.ExpectAsync("250 message processed");
        Assert.Equal(1, h.ForwardingRequests);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Disk_full_gives_452_and_nothing_is_kept(bool byteAtATime)
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime);
        await h.EhloMailRcptAsync();
        h.Spool.SimulateDiskFull = true;
        await h.Client.SendAsync("DATA");
        await h.Client.ExpectCodeAsync(354);
        await h.Client.SendBatchAsync("hello", ".");
        await h.Client.ExpectAsync("452 insufficient system storage");
        Assert.Equal(0, h.Spool.Count);
        Assert.Empty(h.Committed());
    }

    [Fact]
    public async Task Rejected_recipient_is_logged_as_warning()
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime: false);
        h.Verify = _ => new VerifierResult(VerifierStatus.PermanentFailure, "", "", "", "no such mailbox", "exit code 2");
        await h.Client.SendAsync("EHLO c");
        await h.Client.ExpectCodeAsync(250);
        await h.Client.SendAsync("MAIL FROM:<>");
        await h.Client.ExpectAsync("250 sender <> OK");
        await h.Client.SendAsync("RCPT TO:<x@y.z>");
        await h.Client.ExpectAsync("550 no such mailbox");
        await h.Client.SendAsync("DATA");
        await h.Client.ExpectAsync("554 no valid recipients");
        Assert.Contains(h.Logger.Lines, l => l == "Warning: rejecting recipient \"x@y.z\": no such mailbox: exit code 2");
        Assert.Contains(h.Logger.Lines, l => l == "Warning: empty MAIL-FROM return path");
    }

    [Fact]
    public async Task Idle_timeout_sends_421_and_closes()
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime: false);
        await h.Client.SendAsync("NOOP");
        await h.Client.ExpectAsync("250 noop");
        h.Time.Advance(TimeSpan.FromSeconds(299));
        await h.Client.SendAsync("NOOP");
        await h.Client.ExpectAsync("250 noop");
        h.Time.Advance(TimeSpan.FromSeconds(301));
        await h.Client.ExpectAsync("421 timeout -- closing connection");
        await h.Client.ExpectClosedAsync();
        await h.ServerEndedAsync();
    }

    [Fact]
    public async Task Trickled_command_line_is_dropped_at_the_idle_timeout()
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime: false);
        foreach (var b in "NOO"u8.ToArray())
        {
            await h.Client.SendRawAsync(new[] { b });
            h.Time.Advance(TimeSpan.FromSeconds(100));
        }

        await h.Client.ExpectAsync("421 timeout -- closing connection");
        await h.Client.ExpectClosedAsync();
    }

    [Fact]
    public async Task Trickled_data_is_dropped_and_the_partial_message_removed()
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime: false);
        await h.EhloMailRcptAsync();
        await h.Client.SendAsync("DATA");
        await h.Client.ExpectCodeAsync(354);
        foreach (var b in "abc"u8.ToArray())
        {
            await h.Client.SendRawAsync(new[] { b });
            h.Time.Advance(TimeSpan.FromSeconds(100));
        }

        await h.Client.ExpectAsync("421 timeout -- closing connection");
        await h.Client.ExpectClosedAsync();
        await h.ServerEndedAsync();
        Assert.Equal(0, h.Spool.Count);
    }

    [Fact]
    public async Task Shutdown_sends_421_and_closes()
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime: false);
        h.Shutdown();
        await h.Client.ExpectAsync("421 service shutting down -- closing connection");
        await h.Client.ExpectClosedAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Eighth_error_closes_the_connection(bool byteAtATime)
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime);
        for (var i = 0; i < 7; i++)
        {
            await h.Client.SendAsync("BOGUS");
            await h.Client.ExpectAsync("500 command unrecognized");
        }

        await h.Client.SendAsync("DATA");
        await h.Client.ExpectAsync("503 command out of sequence -- use RSET to resynchronise");
        await h.Client.ExpectAsync("421 too many protocol errors -- closing connection");
        await h.Client.ExpectClosedAsync();
    }

    [Fact]
    public async Task Starttls_without_tls_is_unrecognized()
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime: false, SmtpServerPolicy.Default with { TlsOffered = true });
        await h.Client.SendAsync("EHLO c");
        Assert.DoesNotContain("250-STARTTLS", await h.Client.ExpectCodeAsync(250));
        await h.Client.SendAsync("STARTTLS");
        await h.Client.ExpectAsync("500 command unrecognized");
    }

    [Fact]
    public async Task Bare_newline_reject_policy_refuses_the_message()
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime: false, SmtpServerPolicy.Default with { BareNewlines = Protocol.Smtp.BareNewlinePolicy.Reject });
        await h.EhloMailRcptAsync();
        await h.Client.SendAsync("DATA");
        await h.Client.ExpectCodeAsync(354);
        await h.Client.SendRawAsync("a\nb\r\n.\r\n"u8.ToArray());
        await h.Client.ExpectAsync("550 5.5.2 bare CR or LF not allowed");
        Assert.Equal(0, h.Spool.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Starttls_upgrades_and_forgets_ehlo(bool byteAtATime)
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime, SmtpServerPolicy.Default with { Domain = "vm", TlsOffered = true }, withTls: true);
        await h.Client.SendAsync("EHLO client.example.com");
        Assert.Contains("250-STARTTLS", await h.Client.ExpectCodeAsync(250));
        await h.Client.SendAsync("STARTTLS");
        await h.Client.ExpectAsync("220 ready to start tls");
        await h.Client.SendAsync("MAIL FROM:<a@b.c>");
        await h.Client.ExpectAsync("503 command out of sequence -- use RSET to resynchronise");
        await h.Client.SendAsync("EHLO client.example.com");
        Assert.DoesNotContain("250-STARTTLS", await h.Client.ExpectCodeAsync(250));
        await h.Client.SendAsync("MAIL FROM:<a@b.c>");
        await h.Client.ExpectCodeAsync(250);
        await h.Client.SendAsync("RCPT TO:<r@d.e>");
        await h.Client.ExpectCodeAsync(250);
        await h.Client.SendAsync("DATA");
        await h.Client.ExpectCodeAsync(354);
        await h.Client.SendBatchAsync("x", ".");
        await h.Client.ExpectAsync("250 message processed");
        Assert.StartsWith("Received: from client.example.com ([127.0.0.1]) by vm with ESMTPS tls TLS_FAKE ; ", h.CommittedContent(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_pipelined_after_starttls_drop_the_connection()
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime: false, SmtpServerPolicy.Default with { TlsOffered = true }, withTls: true);
        await h.Client.SendAsync("EHLO c");
        await h.Client.ExpectCodeAsync(250);
        await h.Client.SendBatchAsync("STARTTLS", "MAIL FROM:<evil@x.y>");
        await h.Client.ExpectAsync("220 ready to start tls");
        await h.Client.ExpectClosedAsync();
        await h.ServerEndedAsync();
    }

    [Fact]
    public async Task Idle_timer_waits_while_the_verifier_runs()
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime: false);
        h.Verify = a =>
        {
            h.Time.Advance(TimeSpan.FromSeconds(600));
            return VerifierResult.AcceptRemote(a);
        };
        await h.Client.SendAsync("EHLO c");
        await h.Client.ExpectCodeAsync(250);
        await h.Client.SendAsync("MAIL FROM:<a@b.c>");
        await h.Client.ExpectCodeAsync(250);
        await h.Client.SendAsync("RCPT TO:<r@d.e>");
        await h.Client.ExpectAsync("250 recipient <r@d.e> OK");
        await h.Client.SendAsync("NOOP");
        await h.Client.ExpectAsync("250 noop");
    }
}
