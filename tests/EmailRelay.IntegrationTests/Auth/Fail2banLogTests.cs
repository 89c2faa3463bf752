using System.Globalization;
using System.Text.RegularExpressions;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Auth;

/// <summary>
/// The fail2ban contract (reference §k): the log lines the shipped filter matches, produced by real sessions and
/// read back from a black-box <c>--log-file</c>, checked word for word, against the reference's patterns, and by
/// fail2ban's own <c>fail2ban-regex</c> with the shipped <c>packaging/fail2ban/emailrelay.conf</c>.
/// </summary>
public class Fail2banLogTests
{
    private const string Fail2banRegex = "/usr/bin/fail2ban-regex";

    /// <summary>The reference's four lines, with <c>&lt;HOST&gt;</c> as the loopback address the tests connect from.</summary>
    private static readonly string[] s_referencePatterns =
    [
        @"^emailrelay: warning: 127\.0\.0\.1; failed authentication",
        @"^emailrelay: warning: 127\.0\.0\.1; .* AUTH requested but not advertised",
        @"^emailrelay: warning: 127\.0\.0\.1; empty MAIL-FROM return path",
        @"^emailrelay: info: 127\.0\.0\.1; address verifier: exit code",
    ];

    [Fact]
    public async Task Each_fail2ban_line_is_logged_word_for_word_and_matched_by_the_shipped_filter()
    {
        using var dir = new TestDirectory();
        string log = Path.Combine(dir.Path, "relay.log");
        string verifier = Path.Combine(dir.Path, "verifier.sh");
        await File.WriteAllTextAsync(verifier, "#!/bin/sh\ncase \"$1\" in bad@*) echo 'no such user'; echo 'unknown mailbox'; exit 2 ;; esac\necho x; echo \"$1\"; exit 1\n");
#pragma warning disable CA1416 // black-box tests run on unix
        File.SetUnixFileMode(verifier, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
#pragma warning restore CA1416

        await using (var relay = await AuthRelay.StartAsync("--log-file", log, "--address-verifier", verifier))
        {
            using var c = await relay.ConnectAsync();
            await c.SendAsync("EHLO x\r\n");
            await c.ReadReplyAsync();
            await c.SendAsync("AUTH PLAIN " + Convert.ToBase64String("\0alice\0guess"u8.ToArray()) + "\r\n");
            Assert.Equal("535 authentication failed", await c.ReadReplyAsync());
            await c.SendAsync("AUTH DIGEST-MD5\r\n");
            Assert.Equal("504 unsupported authentication mechanism", await c.ReadReplyAsync());
            await c.SendAsync("AUTH PLAIN " + Convert.ToBase64String("\0alice\0my secret"u8.ToArray()) + "\r\n");
            Assert.Equal("235 authentication successful", await c.ReadReplyAsync());
            await c.SendAsync("MAIL FROM:<>\r\n");
            Assert.StartsWith("250 ", await c.ReadReplyAsync(), StringComparison.Ordinal);
            await c.SendAsync("RCPT TO:<bad@example.com>\r\n");
            Assert.Equal("550 no such user", await c.ReadReplyAsync());
            await c.SendAsync("QUIT\r\n");
            await c.ReadReplyAsync();
            await Poll.UntilAsync(() => ReadLines(log).Any(l => l.Contains("smtp connection closed", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "connection closed in the log");
        }

        // No --server-auth at all: AUTH is not advertised, answered 502, and logged for fail2ban.
        int port = FreePort.Get();
        Directory.CreateDirectory(Path.Combine(dir.Path, "spool2"));
        await using (var plain = RelayProcess.Start(dir.Path,
        [
            "--no-daemon", "--log", "--log-address", "--user", Environment.UserName, "--log-file", log,
            "--port", port.ToString(CultureInfo.InvariantCulture), "--interface", "127.0.0.1", "--spool-dir", Path.Combine(dir.Path, "spool2"),
        ]))
        {
            await Poll.UntilAsync(() => FreePort.IsListening(port), TimeSpan.FromSeconds(30), "second relay listening");
            using var tcp = new System.Net.Sockets.TcpClient();
            await tcp.ConnectAsync(FreePort.Host, port);
            using var c = new RawClient(tcp);
            await c.ReadReplyAsync();
            await c.SendAsync("EHLO x\r\nAUTH LOGIN\r\n");
            await c.ReadReplyAsync();
            Assert.Equal("502 command not implemented", await c.ReadReplyAsync());
            await Poll.UntilAsync(() => ReadLines(log).Any(l => l.Contains("LOGIN", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "AUTH warning in the log");
        }

        var lines = ReadLines(log);
        string all = string.Join("\n", lines);
        Assert.Contains("emailrelay: warning: 127.0.0.1; failed authentication: id [alice] mechanism PLAIN", lines);
        Assert.Contains("emailrelay: warning: 127.0.0.1; client protocol error: AUTH requested but not advertised: DIGEST-MD5", lines);
        Assert.Contains("emailrelay: warning: 127.0.0.1; client protocol error: AUTH requested but not advertised: LOGIN", lines);
        Assert.Contains("emailrelay: warning: 127.0.0.1; empty MAIL-FROM return path", lines);
        Assert.Contains("emailrelay: info: 127.0.0.1; successful authentication of remote client using mechanism [plain] and plaintext secret for [alice] from line 1", lines);
        Assert.Contains("emailrelay: info: 127.0.0.1; address verifier: exit code 2: [no such user] [unknown mailbox]", lines);
        foreach (string pattern in s_referencePatterns)
        {
            Assert.True(lines.Any(l => Regex.IsMatch(l, pattern)), pattern + "\n" + all);
        }

        // fail2ban itself, with the shipped filter: every one of the five lines above, and only those.
        string filter = Path.Combine(RepositoryRoot.Path, "packaging", "fail2ban", "emailrelay.conf");
        await using var tool = ToolProcess.Start(Fail2banRegex, [log, filter], standardInput: "");
        Assert.Equal(0, await tool.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        string report = tool.StandardOutput;
        Assert.Matches(@"\|\s+1\) \[1\] ", report);
        Assert.Matches(@"\|\s+2\) \[2\] ", report);
        Assert.Matches(@"\|\s+3\) \[1\] ", report);
        Assert.Matches(@"\|\s+4\) \[1\] ", report);
        Assert.Matches(@"Lines: \d+ lines, 0 ignored, 5 matched", report);
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

}
