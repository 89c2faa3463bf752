using System.Globalization;
using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailRelay.IntegrationTests.Forwarding;

/// <summary>Black-box forwarding: the built executable against aiosmtpd (scripted) and Postfix's smtp-sink.</summary>
public sealed class ForwardingTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);

    internal static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    internal static string[] Common(string spool) => ["--spool-dir", spool, "--user", Environment.UserName, "--no-syslog"];

    internal static async Task<string> SeedAsync(string spool, byte[] content, string from = "a@example.com", IReadOnlyList<string>? to = null, IReadOnlyList<string>? toLocal = null)
    {
        var fileSpool = new FileSpool(spool, NullLogger.Instance, TimeProvider.System);
        await using var message = await fileSpool.CreateAsync(CancellationToken.None);
        await message.WriteAsync(content, CancellationToken.None);
        await message.PrepareAsync(new Envelope
        {
            From = from,
            ToRemote = to ?? ["b@example.com", "c@example.com"],
            ToLocal = toLocal ?? [],
            Body = BodyType.SevenBit,
            ClientAddress = "127.0.0.1",
        }, CancellationToken.None);
        Assert.True(await message.CommitAsync(CancellationToken.None));
        return message.Id.Value;
    }

    internal static byte[] Content(string body) => Encoding.ASCII.GetBytes("Subject: test\r\nFrom: a@example.com\r\n\r\n" + body);

    private static string[] Files(string spool, string pattern) => Directory.GetFiles(spool, pattern);

    internal static async Task<(int Exit, string Stderr)> AsClientAsync(string dir, string spool, string target, params string[] extra)
    {
        await using var relay = RelayProcess.Start(dir, ["--as-client", target, .. Common(spool), .. extra]);
        var exit = await relay.WaitForExitAsync(s_deadline);
        return (exit, relay.StderrText);
    }

    [Fact]
    public async Task As_client_forwards_byte_exact_with_dot_stuffing_in_spool_order_and_empties_the_spool()
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var up = Directory.CreateDirectory(Path.Combine(dir.Path, "up")).FullName;
        await using var server = await ScriptedAiosmtpdServer.StartAsync(up);
        var tricky = Content(".leading dot\r\n..two dots\r\n.\r\nnot the end\r\n. \r\nlast line\r\n");
        var large = Content(string.Concat(Enumerable.Repeat(".x" + new string('y', 70) + "\r\n", 20000)));
        await SeedAsync(spool, tricky);
        await SeedAsync(spool, large, to: ["d@example.com"]);

        var (exit, stderr) = await AsClientAsync(dir.Path, spool, "127.0.0.1:" + Port(server.Port));

        Assert.True(exit == 0, stderr);
        var messages = server.Messages();
        Assert.Equal(2, messages.Count);
        Assert.Equal(tricky, messages[0].Content);
        Assert.Equal(["b@example.com", "c@example.com"], messages[0].To);
        Assert.Equal("a@example.com", messages[0].From);
        Assert.Equal(large, messages[1].Content);
        Assert.Empty(Files(spool, "emailrelay.*"));
    }

    [Fact]
    public async Task As_client_to_smtp_sink_sends_several_messages_over_one_connection()
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        await using var sink = await SmtpSink.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            await SeedAsync(spool, Content("message " + i + "\r\n"));
        }

        var (exit, stderr) = await AsClientAsync(dir.Path, spool, "127.0.0.1:" + Port(sink.Port), "-v");

        Assert.True(exit == 0, stderr);
        await sink.WaitForMessagesAsync(5, s_deadline);
        Assert.Empty(Files(spool, "emailrelay.*"));
        Assert.Single(stderr.Split('\n'), l => l.Contains("smtp connection to 127.0.0.1:", StringComparison.Ordinal));
        Assert.Single(stderr.Split('\n'), l => l.Contains("tx>>: \"EHLO", StringComparison.Ordinal));
    }

    [Fact]
    public async Task As_client_with_client_connections_3_delivers_every_message_once_over_three_connections()
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        await using var sink = await SmtpSink.StartAsync();
        for (var i = 0; i < 12; i++)
        {
            await SeedAsync(spool, Content("message " + i + "\r\n"));
        }

        var (exit, stderr) = await AsClientAsync(dir.Path, spool, "127.0.0.1:" + Port(sink.Port), "--client-connections", "3", "-v");

        Assert.True(exit == 0, stderr);
        await sink.WaitForMessagesAsync(12, s_deadline);
        Assert.Empty(Files(spool, "emailrelay.*"));
        Assert.Equal(3, stderr.Split('\n').Count(l => l.Contains("smtp connection to 127.0.0.1:", StringComparison.Ordinal)));
        Assert.Equal(12, stderr.Split('\n').Count(l => l.Contains("tx>>: \"MAIL FROM:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task As_client_on_an_empty_spool_says_no_messages_to_send_and_exits_0()
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var (exit, stderr) = await AsClientAsync(dir.Path, spool, "127.0.0.1:" + Port(FreePort.Get()));
        Assert.Equal(0, exit);
        Assert.Contains("emailrelay: no messages to send", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task As_client_connect_failure_exits_1_and_leaves_the_message()
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var id = await SeedAsync(spool, Content("x\r\n"));
        var port = Port(FreePort.Get());
        var (exit, stderr) = await AsClientAsync(dir.Path, spool, "127.0.0.1:" + port);
        Assert.Equal(1, exit);
        Assert.Contains("error: connect failure: cannot connect to 127.0.0.1:" + port, stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(spool, id + ".envelope")));
        Assert.False(File.Exists(Path.Combine(spool, id + ".envelope.bad")));
    }

    public static TheoryData<string, string, string, string, string, string, int> FailureRows() => new()
    {
        // name, rcpt-rule (addr=reply), data rule, mail rule, extra option, expected reason, expected code (-1: empty)
        { "mail rejected", "", "", "553 5.1.8 sender refused", "", "5.1.8 sender refused", 553 },
        { "one rcpt rejected, forward-to-all", "c@example.com=550 5.1.1 no such user", "", "", "", "one or more recipients rejected", 550 },
        { "all rcpts rejected, forward-to-some", "b@example.com=550 no|c@example.com=550 no", "", "", "--forward-to-some", "all recipients rejected", 550 },
        { "all rcpts rejected, forward-to-all", "b@example.com=550 no|c@example.com=550 no", "", "", "", "one or more recipients rejected", 550 },
        { "dot rejected", "", "554 5.7.1 rejected at end of data", "", "", "5.7.1 rejected at end of data", 554 },
        { "client filter fails", "", "", "", "--client-filter=exit:1", "", 550 },
        { "dropped mid-data with retry-limit 0", "", "drop", "", "--retry-limit=0", "connection closed by the remote server", 0 },
    };

    [Theory]
    [MemberData(nameof(FailureRows))]
    public async Task Failure_table_row_makes_the_message_bad_with_reason_and_code(string name, string rcpt, string data, string mail, string extra, string reason, int code)
    {
        Assert.NotEmpty(name);
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var up = Directory.CreateDirectory(Path.Combine(dir.Path, "up")).FullName;
        await using var server = await ScriptedAiosmtpdServer.StartAsync(up);
        var rules = rcpt.Length == 0 ? null : rcpt.Split('|').Select(r => r.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        server.SetRules(rules, data.Length == 0 ? null : data, mail.Length == 0 ? null : mail);
        var id = await SeedAsync(spool, Content("hello\r\n"));

        var (exit, stderr) = await AsClientAsync(dir.Path, spool, "127.0.0.1:" + Port(server.Port), extra.Length == 0 ? [] : [extra]);

        Assert.True(exit == 0, stderr);
        var bad = Path.Combine(spool, id + ".envelope.bad");
        Assert.True(File.Exists(bad), stderr);
        var text = await File.ReadAllTextAsync(bad);
        if (reason.Length > 0)
        {
            Assert.Contains("X-MailRelay-Reason: " + reason + "\r\n", text, StringComparison.Ordinal);
        }

        Assert.Contains("X-MailRelay-ReasonCode:" + (code == 0 ? "" : " " + Port(code)) + "\r\n", text, StringComparison.Ordinal);
        // Differences 5: every recipient that did not receive the message stays in the envelope.
        Assert.Contains("X-MailRelay-To-Remote: b@example.com\r\n", text, StringComparison.Ordinal);
        Assert.Contains("X-MailRelay-To-Remote: c@example.com\r\n", text, StringComparison.Ordinal);
        Assert.Equal(0, server.MessageCount);
    }

    [Fact]
    public async Task Forward_to_some_sends_to_the_accepted_and_keeps_only_the_rejected()
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var up = Directory.CreateDirectory(Path.Combine(dir.Path, "up")).FullName;
        await using var server = await ScriptedAiosmtpdServer.StartAsync(up);
        server.SetRules(new Dictionary<string, string> { ["c@example.com"] = "550 no such user" });
        var id = await SeedAsync(spool, Content("hello\r\n"));

        var (exit, stderr) = await AsClientAsync(dir.Path, spool, "127.0.0.1:" + Port(server.Port), "--forward-to-some");

        Assert.True(exit == 0, stderr);
        Assert.Equal(["b@example.com"], server.Messages().Single().To);
        var text = await File.ReadAllTextAsync(Path.Combine(spool, id + ".envelope.bad"));
        Assert.DoesNotContain("b@example.com", text, StringComparison.Ordinal);
        Assert.Contains("X-MailRelay-To-Remote: c@example.com\r\n", text, StringComparison.Ordinal);
        Assert.Contains("X-MailRelay-Reason: one or more recipients rejected\r\nX-MailRelay-ReasonCode:\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_remote_recipients_fails_before_connecting()
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var id = await SeedAsync(spool, Content("x\r\n"), to: [], toLocal: ["me"]);
        var (exit, stderr) = await AsClientAsync(dir.Path, spool, "127.0.0.1:" + Port(FreePort.Get()));
        Assert.True(exit == 0, stderr);
        Assert.Contains("X-MailRelay-Reason: no remote recipients", await File.ReadAllTextAsync(Path.Combine(spool, id + ".envelope.bad")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_4xx_is_deferred_then_retried_by_poll_and_delivered()
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var up = Directory.CreateDirectory(Path.Combine(dir.Path, "up")).FullName;
        await using var server = await ScriptedAiosmtpdServer.StartAsync(up);
        server.SetRules(new Dictionary<string, string> { ["b@example.com"] = "451 4.3.0 try again later" });
        var id = await SeedAsync(spool, Content("retry me\r\n"));
        var envelope = Path.Combine(spool, id + ".envelope");

        await using var relay = RelayProcess.Start(dir.Path, ["--no-daemon", "--dont-serve", "--forward-to", "127.0.0.1:" + Port(server.Port), "--poll", "1", "--log", .. Common(spool)]);
        await Poll.UntilAsync(() => File.Exists(envelope) && File.ReadAllText(envelope).Contains("X-MailRelay-ReasonCode: 451", StringComparison.Ordinal), s_deadline, "a deferred envelope: " + relay.StderrText);
        Assert.False(File.Exists(envelope + ".bad"));
        server.SetRules();
        await server.WaitForMessagesAsync(1, s_deadline);
        await Poll.UntilAsync(() => Files(spool, "emailrelay.*").Length == 0, s_deadline, "an empty spool");
        Assert.Equal(["b@example.com", "c@example.com"], server.Messages().Single().To);
    }

    [Fact]
    public async Task Proxy_mode_forwards_after_the_client_disconnects()
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var up = Directory.CreateDirectory(Path.Combine(dir.Path, "up")).FullName;
        await using var server = await ScriptedAiosmtpdServer.StartAsync(up);
        var port = FreePort.Get();
        var log = Path.Combine(dir.Path, "relay.log");
        string Log() => File.Exists(log) ? File.ReadAllText(log) : "";
        await using var relay = RelayProcess.Start(dir.Path, ["--as-proxy", "127.0.0.1:" + Port(server.Port), "--no-daemon", "--port", Port(port), "--interface", "127.0.0.1", "-v", "--log-file", log, .. Common(spool)]);
        await Poll.UntilAsync(() => Log().Contains("smtp server on", StringComparison.Ordinal), s_deadline, "the server to listen: " + relay.StderrText);
        var sent = await PythonSmtp.SendAsync(port, "a@example.com", "b@example.com", "proxied body");
        Assert.True(sent.ExitCode == 0, sent.Output);
        await server.WaitForMessagesAsync(1, s_deadline);
        await Poll.UntilAsync(() => Files(spool, "emailrelay.*").Length == 0, s_deadline, "an empty spool");
        await Poll.UntilAsync(() => Log().Contains("forwarding: [client disconnect]", StringComparison.Ordinal), s_deadline, "the trigger log line");
        Assert.Contains("proxied body", Encoding.ASCII.GetString(server.Messages().Single().Content), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigkill_during_forwarding_then_a_restart_delivers_the_message()
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var up = Directory.CreateDirectory(Path.Combine(dir.Path, "up")).FullName;
        await using var server = await ScriptedAiosmtpdServer.StartAsync(up);
        server.SetRules(data: "hang");
        var id = await SeedAsync(spool, Content("survive a crash\r\n"));
        var target = "127.0.0.1:" + Port(server.Port);
        await using (var relay = RelayProcess.Start(dir.Path, ["--as-client", target, "-v", .. Common(spool)]))
        {
            await relay.WaitForStderrAsync(l => l.Contains("tx>>: \".\"", StringComparison.Ordinal), "the end of data to be sent");
            Assert.True(File.Exists(Path.Combine(spool, id + ".envelope.busy")));
            await RelayProcess.SignalAsync(relay.Id, "KILL");
            await relay.WaitForExitAsync(s_deadline);
        }

        server.SetRules();
        var (exit, stderr) = await AsClientAsync(dir.Path, spool, target);
        Assert.True(exit == 0, stderr);
        await server.WaitForMessagesAsync(1, s_deadline);
        Assert.Empty(Files(spool, "emailrelay.*"));
    }
}
