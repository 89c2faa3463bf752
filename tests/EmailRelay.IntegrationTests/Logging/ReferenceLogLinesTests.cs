using System.Globalization;
using EmailRelay.IntegrationTests.Auth;
using EmailRelay.IntegrationTests.Forwarding;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Logging;

/// <summary>
/// The log lines the reference quotes (§k examples, §b, §c), produced by the built relay and read back word for
/// word from its <c>--log-file</c> or stderr. The fail2ban lines and the AUTH success line are in
/// <c>Fail2banLogTests</c>.
/// </summary>
public class ReferenceLogLinesTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);

    private static string Script(string dir, string name, string body)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
#pragma warning disable CA1416 // black-box tests run on unix
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
#pragma warning restore CA1416
        return path;
    }

    private static List<string> ReadLines(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)];
        }
        catch (FileNotFoundException)
        {
            return [];
        }
    }

    [Fact]
    public async Task Server_start_connection_and_a_failing_filter_are_logged_as_the_reference_quotes()
    {
        using var dir = new TestDirectory();
        string log = Path.Combine(dir.Path, "relay.log");
        string spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        string filter = Script(dir.Path, "filter.sh", "echo '<<odd code>>'\nexit 7");
        string secrets = Path.Combine(dir.Path, "secrets");
        await File.WriteAllTextAsync(secrets, "server plain alice pw\nserver none 127.0.0.0/8 local\n");
        int port = FreePort.Get();
        string p = port.ToString(CultureInfo.InvariantCulture);
        await using (var relay = RelayProcess.Start(dir.Path,
        [
            "--no-daemon", "--log", "--user", Environment.UserName, "--log-file", log, "--no-syslog",
            "--port", p, "--interface", "127.0.0.1", "--spool-dir", spool, "--filter", filter,
            "--server-auth", secrets, "-v",
        ]))
        {
            await Poll.UntilAsync(() => FreePort.IsListening(port), s_deadline, "relay listening");
            using var tcp = new System.Net.Sockets.TcpClient();
            await tcp.ConnectAsync(FreePort.Host, port);
            using var c = new RawClient(tcp);
            await c.ReadReplyAsync();
            await c.SendAsync("HELO x\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
            await c.ReadReplyAsync();
            await c.ReadReplyAsync();
            await c.ReadReplyAsync();
            await c.ReadReplyAsync();
            await c.SendAsync("Subject: x\r\n\r\nbody\r\n.\r\n");
            Assert.Equal("452 odd code", await c.ReadReplyAsync());
            await c.SendAsync("QUIT\r\n");
            await c.ReadReplyAsync();
            await Poll.UntilAsync(() => ReadLines(log).Any(l => l.Contains("smtp connection closed", StringComparison.Ordinal)), s_deadline, "connection closed in the log");
        }

        var lines = ReadLines(log);
        string all = string.Join("\n", lines);
        Assert.True(lines.Contains("emailrelay: info: smtp server on 127.0.0.1:" + p), all);
        Assert.True(lines.Any(l => l.StartsWith("emailrelay: info: smtp connection from 127.0.0.1:", StringComparison.Ordinal)), all);
        Assert.True(lines.Contains("emailrelay: warning: filter [filter.sh] failed: exit code 7: [odd code]"), all);
        Assert.True(lines.Contains("emailrelay: info: rejected by filter: [odd code]"), all);
        Assert.True(lines.Contains("emailrelay: info: trusting [127.0.0.1]: matched [127.0.0.0/8] from line 2"), all);
        Assert.True(lines.Contains("emailrelay: info: [message content not logged]"), all);
        Assert.True(lines.Any(l => l.StartsWith("emailrelay: info: new content file [", StringComparison.Ordinal)), all);
        Assert.True(lines.Any(l => l.StartsWith("emailrelay: info: new envelope file [", StringComparison.Ordinal)), all);
        Assert.True(lines.Any(l => l.StartsWith("emailrelay: info: filter [", StringComparison.Ordinal) && l.EndsWith("failed response=[odd code] reason=[odd code]", StringComparison.Ordinal)), all);
    }

    [Fact]
    public async Task A_failed_message_is_logged_as_failing_envelope_busy_to_bad()
    {
        using var dir = new TestDirectory();
        string spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        string id = await ForwardingTests.SeedAsync(spool, ForwardingTests.Content("x\r\n"));
        string filter = Script(dir.Path, "client-filter.sh", "echo '<<odd code>>'\nexit 7");
        await using var sink = await SmtpSink.StartAsync();

        var (_, stderr) = await ForwardingTests.AsClientAsync(dir.Path, spool, "127.0.0.1:" + sink.Port.ToString(CultureInfo.InvariantCulture), "--client-filter", filter);

        Assert.True(File.Exists(Path.Combine(spool, id + ".envelope.bad")), stderr);
        Assert.Contains("emailrelay: info: failing envelope [" + id + ".envelope.busy] -> [" + id + ".envelope.bad]", stderr.Split('\n'));
    }

    [Fact]
    public async Task A_forwarding_run_logs_forwarding_deleting_and_no_more_messages()
    {
        using var dir = new TestDirectory();
        string spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        string id = await ForwardingTests.SeedAsync(spool, ForwardingTests.Content("x\r\n"));
        await using var sink = await SmtpSink.StartAsync();

        var (exit, stderr) = await ForwardingTests.AsClientAsync(dir.Path, spool, "127.0.0.1:" + sink.Port.ToString(CultureInfo.InvariantCulture), "-v");

        Assert.True(exit == 0, stderr);
        var lines = stderr.Split('\n');
        Assert.True(lines.Contains("emailrelay: info: smtp connection to 127.0.0.1:" + sink.Port.ToString(CultureInfo.InvariantCulture)), stderr);
        Assert.True(lines.Contains("emailrelay: info: forwarding [" + id + "]"), stderr);
        Assert.True(lines.Any(l => l.StartsWith("emailrelay: info: deleting envelope [", StringComparison.Ordinal) && l.Contains(id, StringComparison.Ordinal)), stderr);
        Assert.True(lines.Contains("emailrelay: info: forwarding: no more messages to send"), stderr);
    }
}
