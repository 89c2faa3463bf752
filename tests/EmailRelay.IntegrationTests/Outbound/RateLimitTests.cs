using EmailRelay.IntegrationTests.Filters;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;
using static EmailRelay.IntegrationTests.Forwarding.ForwardingTests;

namespace EmailRelay.IntegrationTests.Outbound;

/// <summary>
/// Black-box rate limits: the built relay storing with <c>--filter route:&lt;table&gt;</c> (its default route limited to
/// 5 messages a minute) and forwarding every second (<c>--poll 1</c>) to smtp-sink: of 10 messages 5 go, 5 are deferred
/// with the Reason and nothing fails; restarted straight away, the relay sends nothing more within the minute, as the
/// state file in the spool directory remembers it.
/// </summary>
public sealed class RateLimitTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Over_the_limit_messages_are_deferred_not_failed_and_a_restart_does_not_burst()
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        await using var sink = await SmtpSink.StartAsync();
        var table = Path.Combine(dir.Path, "routes");
        await File.WriteAllTextAsync(table, "*  -  messages-per-minute=5\n");
        string[] args = ["--filter", "route:" + table, "--forward-to", "127.0.0.1:" + Port(sink.Port), "--poll", "1", "-v"];

        var (relay, port) = await FilterRelay.StartAsync(spool, args);
        await using (relay)
        {
            await using (var smtp = await SmtpDialog.OpenAsync(port))
            {
                Assert.StartsWith("250", await smtp.SendAsync("EHLO client"), StringComparison.Ordinal);
                for (var i = 0; i < 10; i++)
                {
                    Assert.StartsWith("250", await smtp.SendMessageAsync("a@sender.example", ["b@example.net"], "message " + i), StringComparison.Ordinal);
                }
            }

            await sink.WaitForMessagesAsync(5, s_deadline);
            await Poll.UntilAsync(() => Deferrals(relay.StderrText) == 5, s_deadline, "five deferrals: " + relay.StderrText);
        }

        Assert.Equal(5, sink.MessageCount);
        Assert.Empty(Directory.GetFiles(spool, "*.bad"));
        var waiting = Directory.GetFiles(spool, "*.envelope");
        Assert.Equal(5, waiting.Length);
        foreach (var envelope in waiting)
        {
            Assert.Contains("X-MailRelay-Reason: rate limit: messages-per-minute 5 reached for --forward-to: next in ", await File.ReadAllTextAsync(envelope), StringComparison.Ordinal);
        }

        Assert.True(File.Exists(Path.Combine(spool, ".emailrelay-rate-limits")));

        // Restarted at once: three polls later, still five delivered, five waiting, none failed.
        var (again, _) = await FilterRelay.StartAsync(spool, args);
        await using (again)
        {
            await Poll.UntilAsync(() => Polls(again.StderrText) >= 3, s_deadline, "three polls: " + again.StderrText);
            Assert.Equal(5, sink.MessageCount);
        }

        Assert.Equal(5, Directory.GetFiles(spool, "*.envelope").Length);
        Assert.Empty(Directory.GetFiles(spool, "*.bad"));
    }

    private static int Deferrals(string log) =>
        log.Split('\n').Count(l => l.Contains("deferring message [", StringComparison.Ordinal) && l.Contains("rate limit: messages-per-minute 5", StringComparison.Ordinal));

    private static int Polls(string log) => log.Split('\n').Count(l => l.Contains("forwarding: [poll]", StringComparison.Ordinal));
}
