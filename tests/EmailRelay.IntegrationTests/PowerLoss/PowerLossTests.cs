using System.Globalization;
using System.Text;
using EmailRelay.IntegrationTests.Forwarding;
using EmailRelay.IntegrationTests.Smtp;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;
using Xunit.Abstractions;

namespace EmailRelay.IntegrationTests.PowerLoss;

/// <summary>
/// differences.md 1-3 under power loss: the relay's spool on <see cref="LazyFs"/>, SIGKILL at a random moment, then
/// everything not fsync'd is dropped and the relay restarts on what is left. A SIGKILL alone keeps the page cache,
/// so only these tests can see a missing file sync. Every acknowledged message must survive whole; nothing
/// half-written may be forwarded; a POP deletion answered <c>+OK</c> must hold.
/// </summary>
public sealed class PowerLossTests(ITestOutputHelper output)
{
    private const int Cuts = 3;

    [SkippableFact]
    public async Task Every_message_acknowledged_by_the_server_survives_power_loss_whole()
    {
        Skip.If(LazyFs.Unavailable is not null, LazyFs.Unavailable);
        await using var lazy = await LazyFs.MountAsync();
        var spool = lazy.Spool;
        await ServerCrashTests.RunAsync(spool, Cuts, lazy.PowerCutAsync, unwrap: null, output);
    }

    [SkippableFact]
    public async Task Content_a_server_filter_edited_before_the_250_survives_power_loss_edited_and_whole()
    {
        Skip.If(LazyFs.Unavailable is not null, LazyFs.Unavailable);
        await using var lazy = await LazyFs.MountAsync();
        var spool = lazy.Spool;
        await ServerCrashTests.RunAsync(spool, Cuts, lazy.PowerCutAsync, unwrap: WithoutAddedMessageId, output, "--filter", "msgid:");
    }

    [SkippableFact]
    public async Task Forwarding_interrupted_by_power_loss_delivers_every_message_whole_at_least_once()
    {
        Skip.If(LazyFs.Unavailable is not null, LazyFs.Unavailable);
        await using var lazy = await LazyFs.MountAsync();
        using var dir = new TestDirectory();
        var spool = lazy.Spool;
        var received = Path.Combine(dir.Path, "received");
        Directory.CreateDirectory(received);
        const int Count = 30;
        var sent = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < Count; i++)
        {
            var content = ForwardingTests.Content("message " + i + "\r\n" + string.Concat(Enumerable.Repeat("line " + i + " " + new string('x', 70) + "\r\n", 1 + (i * 37 % 300))));
            sent[await ForwardingTests.SeedAsync(spool, content)] = content;
        }

        await using var sink = await AiosmtpdServer.StartAsync(received);
        var target = "127.0.0.1:" + ForwardingTests.Port(sink.Port);
        var seed = Environment.TickCount;
        var cutAfter = 1 + new Random(seed).Next(Count / 2);
        await using (var relay = RelayProcess.Start(dir.Path, ["--as-client", target, .. ForwardingTests.Common(spool)]))
        {
            await Waiting.UntilAsync(() => ReceivedMessage.CountIn(received) >= cutAfter || !RelayProcess.IsAlive(relay.Id), "some messages forwarded (seed " + seed + ")");
            await RelayProcess.SignalAsync(relay.Id, "KILL");
            await Waiting.UntilAsync(() => !RelayProcess.IsAlive(relay.Id), "the killed relay to be gone");
        }

        await lazy.PowerCutAsync();
        var (exit, stderr) = await ForwardingTests.AsClientAsync(dir.Path, spool, target);
        Assert.True(exit == 0, "the restarted forwarding failed: " + stderr);

        var messages = ReceivedMessage.ReadAll(received);
        output.WriteLine($"seed {seed}: cut after {cutAfter}, {messages.Count} received for {Count} sent");
        foreach (var message in messages)
        {
            Assert.True(sent.Values.Any(c => c.AsSpan().SequenceEqual(message.Content)), message.File + " is not a whole message that was sent: " + message.Content.Length + " bytes");
        }

        foreach (var (id, content) in sent)
        {
            Assert.True(messages.Any(m => m.Content.AsSpan().SequenceEqual(content)), id + " was never delivered");
        }

        Assert.Empty(Directory.GetFiles(spool, "*.envelope*"));
    }

    [SkippableFact]
    public async Task A_pop_deletion_answered_ok_holds_after_power_loss_and_the_kept_messages_are_listed_again()
    {
        Skip.If(LazyFs.Unavailable is not null, LazyFs.Unavailable);
        await using var lazy = await LazyFs.MountAsync();
        using var dir = new TestDirectory();
        var spool = lazy.Spool;
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await ForwardingTests.SeedAsync(spool, ForwardingTests.Content("pop " + i + "\r\n")));
        }

        ids.Sort(StringComparer.Ordinal);
        var secrets = Path.Combine(dir.Path, "pop.auth");
        await File.WriteAllTextAsync(secrets, "server plain alice alice-pw\n");
        var port = FreePort.Get();
        string[] arguments = ["--no-daemon", "--log", "--user", "root", "--interface", "127.0.0.1", "--spool-dir", spool, "--no-smtp",
            "--pop", "--pop-port", port.ToString(CultureInfo.InvariantCulture), "--pop-auth", secrets];
        await using (var relay = RelayProcess.Start(dir.Path, arguments))
        {
            await Poll.UntilAsync(() => FreePort.IsListening(port), Waiting.DefaultTimeout, "the POP server");
            var session = await PoplibSession.RunAsync(port, 1, 2);
            Assert.True(session.Contains("quit +OK", StringComparison.Ordinal), session);
            await RelayProcess.SignalAsync(relay.Id, "KILL");
            await Waiting.UntilAsync(() => !RelayProcess.IsAlive(relay.Id), "the killed relay to be gone");
        }

        await lazy.PowerCutAsync();
        await using (var relay = RelayProcess.Start(dir.Path, arguments))
        {
            await Poll.UntilAsync(() => FreePort.IsListening(port), Waiting.DefaultTimeout, "the restarted POP server");
            var session = await PoplibSession.RunAsync(port);
            Assert.Contains("stat 3", session, StringComparison.Ordinal);
            foreach (var id in ids.Take(2))
            {
                Assert.DoesNotContain(id, session, StringComparison.Ordinal);
                Assert.Empty(Directory.GetFiles(spool, id + ".envelope*"));
            }

            foreach (var id in ids.Skip(2))
            {
                Assert.Contains(id + ".content", session, StringComparison.Ordinal);
                Assert.True(File.Exists(Path.Combine(spool, id + ".envelope")), id + " is not ready again: " + string.Join(", ", Directory.GetFiles(spool).Select(Path.GetFileName)));
            }
        }
    }

    /// <summary>The content without the Message-ID line <c>msgid:</c> puts first; fails if it is not there.</summary>
    private static byte[] WithoutAddedMessageId(byte[] content)
    {
        var text = Encoding.ASCII.GetString(content);
        Assert.True(text.StartsWith("Message-ID: <", StringComparison.Ordinal), "no Message-ID added first: " + text[..Math.Min(80, text.Length)]);
        return content[(text.IndexOf("\r\n", StringComparison.Ordinal) + 2)..];
    }
}
