using System.Text;
using EmailRelay.Testing;

namespace EmailRelay.IntegrationTests.Smtp;

/// <summary>
/// Bounded input (differences 9) and robustness against many commands and many broken sessions, measured on
/// the running executable.
/// </summary>
public sealed class ServerLimitsTests
{
    private const int SixtyFourMiB = 64 * 1024 * 1024;

    /// <summary>
    /// Allowed RSS growth over the idle relay while 64 MiB stream in. The relay's own buffers are a few
    /// 64 KiB pipe segments and a 64 KiB file buffer; 32 MiB leaves room for the GC's normal heap growth and
    /// JIT of the code paths first used here, and is half of the 64 MiB an unbounded line buffer would need
    /// (a StringBuilder or a doubling array would need 64 MiB or more).
    /// </summary>
    private const long AllowedGrowthKib = 32 * 1024;

    /// <summary>Samples the relay's RSS every few milliseconds until disposed, keeping the maximum.</summary>
    private sealed class RssSampler : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _task;

        public RssSampler(StoringRelay relay)
        {
            _task = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    Max = Math.Max(Max, relay.RssKib());
                    try
                    {
                        await Task.Delay(10, _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            });
        }

        public long Max { get; private set; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _task;
            _stop.Dispose();
        }
    }

    /// <summary>Sends <paramref name="total"/> bytes of 'x' in 64 KiB writes (never the whole line in memory).</summary>
    private static async Task StreamAsync(RawSmtp client, long total)
    {
        var chunk = new byte[64 * 1024];
        chunk.AsSpan().Fill((byte)'x');
        for (long sent = 0; sent < total; sent += chunk.Length)
        {
            await client.SendAsync(chunk);
        }
    }

    private static async Task AssertANormalSessionWorksAsync(StoringRelay relay)
    {
        var (client, greeting) = await RawSmtp.ConnectAsync(relay.Port);
        await using var c = client;
        Assert.StartsWith("220 ", greeting, StringComparison.Ordinal);
        Assert.StartsWith("250-", await client.CommandAsync("EHLO after.example"), StringComparison.Ordinal);
        Assert.Equal("250 sender <after@example.com> OK", await client.CommandAsync("MAIL FROM:<after@example.com>"));
        Assert.Equal("250 recipient <bob@example.net> OK", await client.CommandAsync("RCPT TO:<bob@example.net>"));
        Assert.StartsWith("354 ", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        Assert.Equal("250 message processed", await client.CommandAsync("Subject: after\r\n\r\nstill serving\r\n."));
        Assert.Equal("221 OK", await client.CommandAsync("QUIT"));
        Assert.Contains(relay.Messages(), m => Encoding.ASCII.GetString(m.Content).EndsWith("\r\nSubject: after\r\n\r\nstill serving\r\n", StringComparison.Ordinal));
    }

    private static async Task<long> IdleRssAsync(StoringRelay relay)
    {
        // Warm the server's session code first so JIT and first-use allocations count as idle.
        await AssertANormalSessionWorksAsync(relay);
        return relay.RssKib();
    }

    [Fact]
    public async Task Server_smtp_64_mib_command_line_without_newline_keeps_memory_bounded_and_gets_500()
    {
        await using var relay = await StoringRelay.StartAsync();
        var idle = await IdleRssAsync(relay);
        long max;
        var (client, _) = await RawSmtp.ConnectAsync(relay.Port);
        await using (client)
        {
            await using (var sampler = new RssSampler(relay))
            {
                await StreamAsync(client, SixtyFourMiB);
                await client.SendAsync("\r\n");
                Assert.Equal("500 line too long", await client.ReadReplyAsync());
                max = sampler.Max;
            }

            // The connection is still usable after the drained line.
            Assert.Equal("250 noop", await client.CommandAsync("NOOP"));
        }

        Assert.True(max - idle < AllowedGrowthKib, $"RSS grew from {idle} KiB to {max} KiB");
        await AssertANormalSessionWorksAsync(relay);
    }

    [Fact]
    public async Task Server_smtp_64_mib_data_line_without_newline_keeps_memory_bounded_and_is_stored()
    {
        await using var relay = await StoringRelay.StartAsync();
        var idle = await IdleRssAsync(relay);
        long max;
        var (client, _) = await RawSmtp.ConnectAsync(relay.Port);
        await using (client)
        {
            await client.CommandAsync("EHLO big.example");
            Assert.Equal("250 sender <big@example.com> OK", await client.CommandAsync("MAIL FROM:<big@example.com>"));
            Assert.Equal("250 recipient <bob@example.net> OK", await client.CommandAsync("RCPT TO:<bob@example.net>"));
            Assert.StartsWith("354 ", await client.CommandAsync("DATA"), StringComparison.Ordinal);
            await using (var sampler = new RssSampler(relay))
            {
                await StreamAsync(client, SixtyFourMiB);
                await client.SendAsync("\r\n.\r\n");
                Assert.Equal("250 message processed", await client.ReadReplyAsync(TimeSpan.FromSeconds(60)));
                max = sampler.Max;
            }
        }

        Assert.True(max - idle < AllowedGrowthKib, $"RSS grew from {idle} KiB to {max} KiB");
        var big = relay.Messages().Single(m => Encoding.ASCII.GetString(m.Envelope).Contains("From: big@example.com\r\n", StringComparison.Ordinal));
        var afterReceived = Array.IndexOf(big.Content, (byte)'\n') + 1;
        Assert.Equal(SixtyFourMiB + 2, big.Content.Length - afterReceived);
        Assert.True(big.Content.AsSpan(afterReceived, SixtyFourMiB).IndexOfAnyExcept((byte)'x') < 0);
        await AssertANormalSessionWorksAsync(relay);
    }

    [Fact]
    public async Task Server_smtp_10000_pipelined_noops_are_all_answered_in_order()
    {
        const int count = 10_000;
        await using var relay = await StoringRelay.StartAsync();
        var (client, _) = await RawSmtp.ConnectAsync(relay.Port);
        await using var c = client;
        Assert.StartsWith("250-", await client.CommandAsync("EHLO noop.example"), StringComparison.Ordinal);

        // Interleave a marker so "in order" is checked, not just the count: NOOP x 9999, then VRFY.
        var batch = new StringBuilder();
        for (var i = 0; i < count - 1; i++)
        {
            batch.Append("NOOP\r\n");
        }

        batch.Append("VRFY last\r\n");
        var writing = client.SendAsync(batch.ToString());
        for (var i = 0; i < count - 1; i++)
        {
            var reply = await client.ReadReplyAsync();
            Assert.True(reply == "250 noop", $"reply {i}: {reply}");
        }

        Assert.Equal("252 cannot verify but will accept: last", await client.ReadReplyAsync());
        await writing;
        Assert.Equal("221 OK", await client.CommandAsync("QUIT"));
    }

    [Fact]
    public async Task Server_smtp_500_sessions_aborted_mid_data_leave_no_files()
    {
        const int sessions = 500;
        await using var relay = await StoringRelay.StartAsync("--server-smtp-config", "chunking");
        using var gate = new SemaphoreSlim(16);
        var started = 0;
        var tasks = Enumerable.Range(0, sessions).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var (client, _) = await RawSmtp.ConnectAsync(relay.Port);
                await using var c = client;
                var bdat = i % 4 == 3; // a quarter abort inside a BDAT chunk instead
                await client.SendAsync("EHLO abort.example\r\nMAIL FROM:<a" + i + "@example.com>\r\nRCPT TO:<b@example.net>\r\n" + (bdat ? "BDAT 100000\r\n" : "DATA\r\n"));
                Assert.StartsWith("250-", await client.ReadReplyAsync(), StringComparison.Ordinal);
                Assert.StartsWith("250 sender", await client.ReadReplyAsync(), StringComparison.Ordinal);
                Assert.StartsWith("250 recipient", await client.ReadReplyAsync(), StringComparison.Ordinal);
                if (!bdat)
                {
                    Assert.StartsWith("354 ", await client.ReadReplyAsync(), StringComparison.Ordinal);
                }

                await client.SendAsync("Subject: aborted " + i + "\r\n\r\n" + new string('y', 100 + (i * 37 % 5000)) + (i % 2 == 0 ? "\r\n" : ""));
                Interlocked.Increment(ref started);
                if (i == 0)
                {
                    // The partial message really is on disk while the session is open, so "no files" below means cleanup.
                    await Waiting.UntilAsync(() => relay.Files().Any(f => f.EndsWith(".content", StringComparison.Ordinal)), "a partial content file");
                }

                if (i % 3 == 0)
                {
                    client.Abort(); // RST instead of FIN for a third of them
                }
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(tasks);
        Assert.Equal(sessions, started);

        await Waiting.UntilAsync(() => relay.Files().Length == 0, "an empty spool after the aborted sessions; have " + relay.Files().Length + " files", TimeSpan.FromSeconds(60));
        await AssertANormalSessionWorksAsync(relay);
        Assert.Equal(2, relay.Files().Length);
    }
}
