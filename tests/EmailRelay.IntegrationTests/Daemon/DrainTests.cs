using System.Globalization;
using System.Net.Sockets;
using System.Text;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;
using Xunit.Abstractions;

namespace EmailRelay.IntegrationTests.Daemon;

/// <summary>
/// Graceful drain (issue 22) of the built relay on real sockets: under Postfix <c>smtp-source</c> load, SIGTERM; the
/// relay exits 0, every message that got <c>250</c> to its data is in the spool, nothing half-received is left, and
/// the clients see <c>421</c> (or a refused connect once the listener is closed), never a reset in the middle of a
/// reply. A second SIGTERM ends a drain that is waiting for a message in progress at once, with the same guarantees.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class DrainTests(ITestOutputHelper output)
{
    private const int Sources = 4;

    [SkippableFact]
    public async Task Sigterm_under_smtp_source_load_keeps_every_acknowledged_message_and_exits_0()
    {
        Skip.IfNot(File.Exists(SmtpSource.Program), "Postfix smtp-source is not installed (.ci/run installs postfix)");
        using var dir = new TestDirectory();
        await using var relay = await StartAsync(dir.Path, []);
        var port = await PortAsync(relay);

        // One session per smtp-source (its -v dialogue then tells which messages got 250), each with its own
        // numbered recipients, one connection per message: sessions are always starting, idle or in DATA.
        var sources = Enumerable.Range(0, Sources).Select(k => SmtpSource.RunAsync(port, 20_000, 100_000, 1, TimeSpan.FromMinutes(2),
            recipient: "s" + k.ToString(CultureInfo.InvariantCulture) + "@sink.test", numbered: true, verbose: true)).ToList();
        await Waiting.UntilAsync(() => Envelopes(dir.Path).Count >= 40, "40 messages stored under load", TimeSpan.FromMinutes(1));
        await RelayProcess.SignalAsync(relay.Id, "TERM");
        var code = await relay.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var results = await Task.WhenAll(sources);

        Assert.True(code == 0, "exit " + code.ToString(CultureInfo.InvariantCulture) + "\n" + relay.StderrText);
        var stored = StoredRecipients(dir.Path);
        var acknowledged = results.SelectMany(r => SmtpSource.AcknowledgedRecipients(r.Output)).Select(a => a.Trim('<', '>')).ToList();
        output.WriteLine($"{acknowledged.Count} acknowledged, {stored.Count} stored");
        Assert.NotEmpty(acknowledged);
        Assert.All(acknowledged, a => Assert.Contains(a, stored));
        AssertNothingHalfReceived(dir.Path);
        foreach (var result in results)
        {
            Assert.DoesNotContain("reset", result.Output, StringComparison.OrdinalIgnoreCase);
        }

        // At least one session was told: every source was mid-run when the relay stopped.
        Assert.Contains(results, r => r.Output.Contains("<<< 421 service shutting down", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_in_DATA_finishes_during_the_drain_and_a_second_sigterm_ends_the_next_one_at_once()
    {
        using var dir = new TestDirectory();
        await using var relay = await StartAsync(dir.Path, ["--drain-timeout", "600"]);
        var port = await PortAsync(relay);
        using var idle = await SmtpAsync(port, "EHLO idle.test");
        using var finishing = await SmtpAsync(port, "EHLO finishing.test", "MAIL FROM:<a@b.test>", "RCPT TO:<finished@sink.test>", "DATA");
        using var aborted = await SmtpAsync(port, "EHLO aborted.test", "MAIL FROM:<a@b.test>", "RCPT TO:<aborted@sink.test>", "DATA");
        await finishing.SendAsync("Subject: finishing\r\n\r\nfirst half\r\n");
        await aborted.SendAsync("Subject: aborted\r\n\r\nfirst half\r\n");

        await RelayProcess.SignalAsync(relay.Id, "TERM");
        Assert.Equal("421 service shutting down -- closing connection", await idle.ReadLineAsync());
        Assert.True(await idle.IsClosedAsync());
        await RetryingAsync(() => Refused(port), "the listener closed");

        // The message whose content is arriving finishes and is acknowledged, then gets 421.
        await finishing.SendAsync("second half\r\n.\r\n");
        Assert.StartsWith("250 ", await finishing.ReadLineAsync(), StringComparison.Ordinal);
        Assert.Equal("421 service shutting down -- closing connection", await finishing.ReadLineAsync());
        Assert.True(await finishing.IsClosedAsync());

        // The drain would wait 600 s for the other one: a second SIGTERM ends it at once, keeping nothing of it.
        await RelayProcess.SignalAsync(relay.Id, "TERM");
        Assert.Equal("421 service shutting down -- closing connection", await aborted.ReadLineAsync());
        Assert.True(await aborted.IsClosedAsync());
        Assert.Equal(0, await relay.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(["finished@sink.test"], StoredRecipients(dir.Path));
        AssertNothingHalfReceived(dir.Path);
    }

    private static async Task<RelayProcess> StartAsync(string spool, string[] extra)
    {
        var relay = RelayProcess.Start(spool, ["--no-daemon", "--log", "--no-syslog", "--user", Environment.UserName, "--port", "0", "--interface", "127.0.0.1", "--spool-dir", spool, .. extra]);
        await relay.WaitForStderrAsync(l => l.Contains("smtp server on 127.0.0.1:", StringComparison.Ordinal), "the relay listens");
        return relay;
    }

    private static async Task<int> PortAsync(RelayProcess relay)
    {
        var line = await relay.WaitForStderrAsync(l => l.Contains("smtp server on 127.0.0.1:", StringComparison.Ordinal), "the listening line");
        return int.Parse(line[(line.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
    }

    private static List<string> Envelopes(string spool) =>
        [.. Directory.EnumerateFiles(spool, "emailrelay.*.envelope")];

    // The To-Remote recipients of the stored (committed) envelopes.
    private static List<string> StoredRecipients(string spool) =>
        [.. Envelopes(spool).SelectMany(File.ReadAllLines).Where(l => l.StartsWith("X-MailRelay-To-Remote: ", StringComparison.Ordinal)).Select(l => l["X-MailRelay-To-Remote: ".Length..].Trim())];

    // Nothing half-received: no envelope still being written, and every content file has its committed envelope.
    private static void AssertNothingHalfReceived(string spool)
    {
        var files = Directory.EnumerateFiles(spool, "emailrelay.*").Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(files, f => f!.EndsWith(".new", StringComparison.Ordinal) || f.EndsWith(".busy", StringComparison.Ordinal));
        foreach (var content in files.Where(f => f!.EndsWith(".content", StringComparison.Ordinal)))
        {
            Assert.Contains(content![..^".content".Length] + ".envelope", files);
        }
    }

    private static bool Refused(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect("127.0.0.1", port);
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
    }

    private static Task RetryingAsync(Func<bool> condition, string what) => Waiting.UntilAsync(condition, what, TimeSpan.FromSeconds(20));

    private static async Task<LineClient> SmtpAsync(int port, params string[] commands)
    {
        var client = await LineClient.ConnectAsync(port);
        Assert.StartsWith("220 ", await client.ReadLineAsync(), StringComparison.Ordinal);
        foreach (var command in commands)
        {
            await client.SendAsync(command + "\r\n");
            string line;
            do
            {
                line = await client.ReadLineAsync() ?? throw new InvalidOperationException("closed after " + command);
            }
            while (line.Length > 3 && line[3] == '-');
            Assert.True(line[0] is '2' or '3', command + ": " + line);
        }

        return client;
    }

    private sealed class LineClient : IDisposable
    {
        private readonly TcpClient _client = new();
        private NetworkStream _stream = null!;
        private readonly StringBuilder _pending = new();

        public static async Task<LineClient> ConnectAsync(int port)
        {
            var client = new LineClient();
            await client._client.ConnectAsync("127.0.0.1", port);
            client._stream = client._client.GetStream();
            return client;
        }

        public async Task SendAsync(string text) => await _stream.WriteAsync(Encoding.ASCII.GetBytes(text));

        /// <summary>The next CRLF line, or null at a clean end of input (a reset throws).</summary>
        public async Task<string?> ReadLineAsync()
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var buffer = new byte[1];
            while (true)
            {
                var text = _pending.ToString();
                var end = text.IndexOf("\r\n", StringComparison.Ordinal);
                if (end >= 0)
                {
                    _pending.Remove(0, end + 2);
                    return text[..end];
                }

                if (await _stream.ReadAsync(buffer, deadline.Token) == 0)
                {
                    return _pending.Length == 0 ? null : throw new InvalidOperationException("closed mid-line: " + _pending);
                }

                _pending.Append((char)buffer[0]);
            }
        }

        /// <summary>True at a clean end of input with nothing more sent.</summary>
        public async Task<bool> IsClosedAsync() => await ReadLineAsync() is null;

        public void Dispose() => _client.Dispose();
    }
}
