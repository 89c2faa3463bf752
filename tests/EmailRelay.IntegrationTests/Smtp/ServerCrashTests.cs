using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using EmailRelay.Testing;
using Xunit.Abstractions;

namespace EmailRelay.IntegrationTests.Smtp;

/// <summary>
/// Durability (differences 1-3): concurrent senders while the relay is SIGKILLed and restarted over and over.
/// Every message that got its 250 must be in the spool afterwards, committed and whole, and the restarted
/// relay's recovery must leave no <c>.envelope.new</c>, orphan content or lock files behind.
/// </summary>
public sealed class ServerCrashTests(ITestOutputHelper output)
{
    private const int Senders = 8;
    private const int Kills = 8;

    /// <summary>The data of the message with this marker: a size that varies with the marker, so a torn file cannot match.</summary>
    private static string Body(string marker, int n)
    {
        var text = new StringBuilder("Subject: crash ").Append(marker).Append("\r\n\r\n");
        var lines = 1 + (n * 7919 % 400);
        for (var i = 0; i < lines; i++)
        {
            text.Append(marker).Append(' ').Append(i).Append(' ').Append('z', 60).Append("\r\n");
        }

        return text.Append("end ").Append(marker).Append("\r\n").ToString();
    }

    private static async Task<bool> SendOneAsync(int port, string marker, string body)
    {
        try
        {
            var (client, greeting) = await RawSmtp.ConnectAsync(port);
            await using var c = client;
            if (!greeting.StartsWith("220 ", StringComparison.Ordinal))
            {
                return false;
            }

            // Pipelined, as a real client would: the relay may die between any two of these.
            await client.SendAsync("EHLO crash.example\r\nMAIL FROM:<" + marker + "@example.com>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n");
            var ehlo = await client.ReadReplyAsync(TimeSpan.FromSeconds(10));
            var mail = await client.ReadReplyAsync(TimeSpan.FromSeconds(10));
            var rcpt = await client.ReadReplyAsync(TimeSpan.FromSeconds(10));
            var data = await client.ReadReplyAsync(TimeSpan.FromSeconds(10));
            if (!ehlo.StartsWith("250", StringComparison.Ordinal) || !mail.StartsWith("250", StringComparison.Ordinal) ||
                !rcpt.StartsWith("250", StringComparison.Ordinal) || !data.StartsWith("354", StringComparison.Ordinal))
            {
                return false;
            }

            await client.SendAsync(body + ".\r\n");
            return await client.ReadReplyAsync(TimeSpan.FromSeconds(10)) == "250 message processed";
        }
        catch (Exception exception) when (exception is IOException or SocketException or EndOfStreamException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<StoringRelay> RestartAsync(string spool, int port, string[] extra)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await StoringRelay.StartAsync(spool, port, extra);
            }
            catch (InvalidOperationException) when (attempt < 5)
            {
                // The port may still be held for a moment by the killed process's sockets.
            }
        }
    }

    [Fact]
    public async Task Server_smtp_every_acknowledged_message_survives_repeated_sigkill_whole()
    {
        using var dir = new TestDirectory();
        await RunAsync(dir.Path, Kills, afterKill: null, unwrap: null, output);
    }

    /// <summary>
    /// Concurrent senders while the relay on <paramref name="spool"/> is SIGKILLed <paramref name="kills"/> times, with
    /// <paramref name="afterKill"/> (a power cut) after each kill; then every acknowledged message must be in the spool,
    /// once and whole, and recovery must leave nothing else. <paramref name="unwrap"/> checks and removes what a server
    /// filter added to the content (<paramref name="extra"/> gives the filter).
    /// </summary>
    internal static async Task RunAsync(string spool, int kills, Func<Task>? afterKill, Func<byte[], byte[]>? unwrap, ITestOutputHelper log, params string[] extra)
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var acked = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var attempted = 0;
        using var stop = new CancellationTokenSource();
        var relay = await StoringRelay.StartAsync(spool, null, extra);
        var port = relay.Port;
        var restarts = 0;

        var senders = Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var marker = "s" + s + "-" + n;
                var body = Body(marker, n + (s * 1000));
                Interlocked.Increment(ref attempted);
                if (await SendOneAsync(port, marker, body))
                {
                    acked[marker] = body;
                }
                else
                {
                    await Task.Delay(20); // the relay is down: retry soon with the next message
                }
            }
        })).ToArray();

        try
        {
            for (var kill = 0; kill < kills; kill++)
            {
                // Let some traffic through (at least one acknowledged message since the restart), then kill at a random moment.
                var before = acked.Count;
                await Waiting.UntilAsync(() => acked.Count > before, "a message acknowledged by the restarted relay (seed " + seed + ")");
                await Task.Delay(random.Next(50, 700));
                await RelayProcess.SignalAsync(relay.Process.Id, "KILL");
                await Waiting.UntilAsync(() => !RelayProcess.IsAlive(relay.Process.Id), "the killed relay to be gone");
                await relay.DisposeAsync();
                if (afterKill is not null)
                {
                    await afterKill();
                }

                relay = await RestartAsync(spool, port, extra);
                restarts++;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(senders);
        }

        // One more clean restart after the last kill's traffic: its recovery is what is checked.
        await RelayProcess.SignalAsync(relay.Process.Id, "KILL");
        await Waiting.UntilAsync(() => !RelayProcess.IsAlive(relay.Process.Id), "the killed relay to be gone");
        await relay.DisposeAsync();
        if (afterKill is not null)
        {
            await afterKill();
        }

        await using var last = await RestartAsync(spool, port, extra);
        log.WriteLine($"seed {seed}: {restarts} restarts, {attempted} attempted, {acked.Count} acknowledged, {last.Messages().Count} committed");

        var files = last.Files();
        var leftovers = files.Where(f => !f.EndsWith(".content", StringComparison.Ordinal) && !f.EndsWith(".envelope", StringComparison.Ordinal)).ToList();
        Assert.True(leftovers.Count == 0, "leftovers after recovery: " + string.Join(", ", leftovers) + "\n" + last.Process.StderrText);
        var contents = files.Where(f => f.EndsWith(".content", StringComparison.Ordinal)).Select(f => f[..^".content".Length]).ToHashSet(StringComparer.Ordinal);
        var envelopes = files.Where(f => f.EndsWith(".envelope", StringComparison.Ordinal)).Select(f => f[..^".envelope".Length]).ToHashSet(StringComparer.Ordinal);
        Assert.True(contents.SetEquals(envelopes), "content without envelope or envelope without content: " + string.Join(", ", contents.Except(envelopes).Concat(envelopes.Except(contents))));

        // Every committed message is whole: its envelope is the full layout and its content is exactly one message's data.
        var committed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, content, envelope) in last.Messages())
        {
            var envelopeText = Encoding.ASCII.GetString(envelope);
            var from = envelopeText.Split("\r\n").Single(l => l.StartsWith("X-MailRelay-From: ", StringComparison.Ordinal))["X-MailRelay-From: ".Length..];
            var marker = from[..from.IndexOf('@', StringComparison.Ordinal)];
            Assert.Equal(Expected.Envelope(from, ["bob@example.net"]), envelopeText);
            var dash = marker.IndexOf('-', StringComparison.Ordinal);
            var n = int.Parse(marker[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture) +
                (int.Parse(marker[1..dash], System.Globalization.CultureInfo.InvariantCulture) * 1000);
            var received = unwrap is null ? content : unwrap(content);
            var stored = Encoding.ASCII.GetString(Expected.AfterReceived(received, "crash.example", Expected.ReceivedDomain(received)));
            Assert.True(stored == Body(marker, n), $"{id}: content of {marker} is not whole ({stored.Length} of {Body(marker, n).Length} bytes)");
            Assert.True(committed.Add(marker), "stored twice: " + marker);
        }

        var lost = acked.Keys.Where(m => !committed.Contains(m)).ToList();
        Assert.True(lost.Count == 0, $"acknowledged but not in the spool (seed {seed}): " + string.Join(", ", lost));
        Assert.True(acked.Count >= kills, "too few acknowledged messages for a meaningful test: " + acked.Count);
    }
}
