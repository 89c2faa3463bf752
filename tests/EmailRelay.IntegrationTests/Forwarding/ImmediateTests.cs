using System.Globalization;
using System.Text;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Forwarding;

/// <summary>
/// Black-box <c>--immediate</c> (reference §i; differences 6) against aiosmtpd: the upstream's answer becomes the
/// client's reply to the end of data, and after a failure reply no copy of the message is left in the spool.
/// </summary>
public sealed class ImmediateTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static async Task<(RelayProcess Relay, int Port, Func<string> Log)> StartRelayAsync(string dir, string spool, string target)
    {
        var port = FreePort.Get();
        var log = Path.Combine(dir, "relay.log");
        string Log() => File.Exists(log) ? File.ReadAllText(log) : "";
        var relay = RelayProcess.Start(dir,
        [
            "--immediate", "--forward-to", target, "--no-daemon", "--port", Port(port), "--interface", "127.0.0.1",
            "--log", "--log-file", log, "--spool-dir", spool, "--user", Environment.UserName, "--no-syslog",
        ]);
        await Poll.UntilAsync(() => Log().Contains("smtp server on", StringComparison.Ordinal), s_deadline, "the server to listen: " + relay.StderrText);
        return (relay, port, Log);
    }

    private static string[] SpoolFiles(string spool) => Directory.GetFiles(spool, "emailrelay.*");

    [Fact]
    public async Task A_delivered_message_is_upstream_and_gone_from_the_spool_before_the_client_gets_250()
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var up = Directory.CreateDirectory(Path.Combine(dir.Path, "up")).FullName;
        await using var server = await ScriptedAiosmtpdServer.StartAsync(up);
        var (relay, port, log) = await StartRelayAsync(dir.Path, spool, "127.0.0.1:" + Port(server.Port));
        await using (relay)
        {
            var sent = await PythonSmtp.SendAsync(port, "a@example.com", "b@example.com", "immediate body");

            Assert.True(sent.ExitCode == 0, sent.Output + log());
            Assert.Empty(SpoolFiles(spool));
            Assert.Equal(1, server.MessageCount);
            Assert.Contains("immediate body", Encoding.ASCII.GetString(server.Messages().Single().Content), StringComparison.Ordinal);
            Assert.Contains("the --immediate option can result in client timeout errors", log() + relay.StderrText, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string, string, string, string> UpstreamFailures() => new()
    {
        // recipient rule, data rule, what the client must be told
        { "", "554 5.7.1 rejected at end of data", "refused 554", "5.7.1 rejected at end of data" },
        { "b@example.com=550 5.1.1 no such user", "", "refused 452", "one or more recipients rejected" },
        { "b@example.com=451 4.3.0 try again later", "", "refused 452", "one or more recipients rejected" },
    };

    [Theory]
    [MemberData(nameof(UpstreamFailures))]
    public async Task An_upstream_failure_is_the_clients_reply_and_leaves_no_copy_in_the_spool(string rcpt, string data, string code, string text)
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var up = Directory.CreateDirectory(Path.Combine(dir.Path, "up")).FullName;
        await using var server = await ScriptedAiosmtpdServer.StartAsync(up);
        var rules = rcpt.Length == 0 ? null : new Dictionary<string, string> { [rcpt.Split('=')[0]] = rcpt.Split('=', 2)[1] };
        server.SetRules(rules, data.Length == 0 ? null : data);
        var (relay, port, log) = await StartRelayAsync(dir.Path, spool, "127.0.0.1:" + Port(server.Port));
        await using (relay)
        {
            var sent = await PythonSmtp.SendAsync(port, "a@example.com", "b@example.com", "rejected body");

            Assert.True(sent.ExitCode == 1, sent.Output + log());
            Assert.Contains(code + " " + text, sent.Output, StringComparison.Ordinal);
            Assert.Empty(SpoolFiles(spool));
            Assert.Equal(0, server.MessageCount);

            // The relay carries on: a second message after the upstream recovers is delivered.
            server.SetRules();
            var again = await PythonSmtp.SendAsync(port, "a@example.com", "b@example.com", "second body");
            Assert.True(again.ExitCode == 0, again.Output + log());
            Assert.Equal(1, server.MessageCount);
            Assert.Empty(SpoolFiles(spool));
        }
    }

    private const string ThreeMessagesScript = """
        import smtplib, sys
        with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="python.localdomain", timeout=30) as smtp:
            for n, rcpt in enumerate(["b@example.com", "reject@example.com", "c@example.com"]):
                try:
                    smtp.sendmail("a@example.com", [rcpt], ("Subject: %d\r\n\r\nbody %d\r\n" % (n, n)).encode())
                    print("sent %d" % n)
                except smtplib.SMTPResponseException as e:
                    print("refused %d %d" % (n, e.smtp_code))
                except smtplib.SMTPRecipientsRefused as e:
                    print("refused %d %d" % (n, list(e.recipients.values())[0][0]))
        """;

    [Fact]
    public async Task One_client_session_uses_one_upstream_connection_for_all_its_messages()
    {
        // Issue 23 J: as E-MailRelay, one upstream connection for the whole client session, not one per message.
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var up = Directory.CreateDirectory(Path.Combine(dir.Path, "up")).FullName;
        await using var server = await ScriptedAiosmtpdServer.StartAsync(up);
        server.SetRules(new Dictionary<string, string> { ["reject@example.com"] = "550 5.1.1 no such user" });
        var (relay, port, log) = await StartRelayAsync(dir.Path, spool, "127.0.0.1:" + Port(server.Port));
        await using (relay)
        {
            await using var client = ToolProcess.Start(PythonSmtp.Python, ["-c", ThreeMessagesScript, Port(port)], standardInput: "");
            var exit = await client.WaitForExitAsync(s_deadline);
            var output = client.StandardOutput + client.StandardError;

            Assert.True(exit == 0, output + log());
            Assert.Equal(["sent 0", "refused 1 452", "sent 2"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Equal(2, server.MessageCount);
            Assert.Equal(1, CountOf(log(), "smtp connection to "));
            Assert.Empty(SpoolFiles(spool));
        }
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    [Fact]
    public async Task With_the_upstream_down_the_client_gets_452_and_the_spool_is_empty()
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var downPort = Port(FreePort.Get());
        var (relay, port, log) = await StartRelayAsync(dir.Path, spool, "127.0.0.1:" + downPort);
        await using (relay)
        {
            var sent = await PythonSmtp.SendAsync(port, "a@example.com", "b@example.com", "nowhere to go");

            Assert.True(sent.ExitCode == 1, sent.Output + log());
            Assert.Contains("refused 452 cannot connect to 127.0.0.1:" + downPort, sent.Output, StringComparison.Ordinal);
            Assert.Empty(SpoolFiles(spool));
        }
    }
}
