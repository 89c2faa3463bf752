using System.Text;
using EmailRelay.Core.Tests.Events;
using EmailRelay.Events;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Smtp.Client;
using EmailRelay.Smtp.Client;
using EmailRelay.Smtp.Client.RateLimits;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Smtp.Client;

/// <summary>
/// Rate limits per route on a fake clock: the route table's <c>messages-per-minute=</c> and <c>recipients-per-day=</c>
/// over forwarding runs every second to in-memory upstreams that note when each message arrives.
/// </summary>
public class ForwarderRateLimitTests
{
    private const string Route = "10.0.0.1:25";

    private static Envelope Envelope(int recipients = 1) => new()
    {
        From = "a@x",
        ToRemote = [.. Enumerable.Range(0, recipients).Select(i => "r" + i + "@y")],
        Body = BodyType.SevenBit,
        ForwardToAddress = Route,
    };

    private static (Forwarder Forwarder, List<DateTimeOffset> Arrivals, RecordingObserver Events) Create(TestDirectory dir, MemorySpool spool, FakeTimeProvider time, string rule)
    {
        var table = Path.Combine(dir.Path, "routes");
        File.WriteAllText(table, rule + "\n");
        var arrivals = new List<DateTimeOffset>();
        var options = new ForwardingOptions
        {
            Client = new SmtpClientOptions { Target = new ForwardTarget("127.0.0.1", 25, false) },
            RouteTables = [table],
            RateLimitState = Path.Combine(dir.Path, ".emailrelay-rate-limits"),
        };
        var forwarder = new Forwarder(spool, null, options, time, NullLogger.Instance, (_, _) =>
        {
            var upstream = new FakeUpstream(c =>
            {
                if (c == "<dot>")
                {
                    lock (arrivals)
                    {
                        arrivals.Add(time.GetUtcNow());
                    }
                }

                return null;
            });
            return Task.FromResult(new SmtpClientConnection(upstream.ClientStream, "127.0.0.1", options.Client, TimeProvider.System, NullLogger.Instance));
        });
        var events = new RecordingObserver();
        forwarder.Events.Subscribe(events);
        return (forwarder, arrivals, events);
    }

    [Fact]
    public async Task Thirty_a_minute_is_never_passed_in_any_minute_and_every_message_goes_deferred_once_never_failed()
    {
        using var dir = new TestDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 8, 5, 0, 0, TimeSpan.Zero));
        var spool = new MemorySpool(time);
        var ids = Enumerable.Range(0, 100).Select(i => spool.Add(Envelope(), Encoding.ASCII.GetBytes(i + "\r\n"))).ToList();
        var (forwarder, arrivals, events) = Create(dir, spool, time, "* " + Route + " messages-per-minute=30");
        var start = time.GetUtcNow();

        await forwarder.RunOnceAsync(CancellationToken.None);

        Assert.Equal(30, arrivals.Count);
        var waiting = ids.Where(id => spool.GetEnvelope(id) is not null).ToList();
        Assert.Equal(70, waiting.Count);
        Assert.All(waiting, id => Assert.Contains(spool.GetEnvelope(id)!.Trailer, l => l.StartsWith("X-MailRelay-Reason: rate limit: messages-per-minute 30 reached for " + Route + ": next in ", StringComparison.Ordinal)));

        // A run every second (as --poll 1 would) until the spool is empty.
        for (var second = 1; spool.Count > 0 && second < 600; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await forwarder.RunOnceAsync(CancellationToken.None);
        }

        Assert.Equal(0, spool.Count);
        Assert.Equal(100, arrivals.Count);
        foreach (var at in arrivals)
        {
            Assert.InRange(arrivals.Count(a => a >= at && a < at + TimeSpan.FromMinutes(1)), 1, 30);
        }

        // 100 messages at 30 a minute: the last in the fourth minute; each token comes back at most a one-second slot
        // late, and the runs are a second apart.
        Assert.InRange(arrivals[^1] - start, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(6));
        var deferred = events.Events.Where(e => e.Kind == RelayEventKind.Deferred).ToList();
        Assert.Equal(70, deferred.Count);
        Assert.Equal(70, deferred.Select(e => e.MessageId).Distinct().Count());
        Assert.All(deferred, e => Assert.StartsWith("rate limit: messages-per-minute 30 reached for " + Route, e.Text, StringComparison.Ordinal));
        Assert.DoesNotContain(events.Events, e => e.Kind == RelayEventKind.Failed);
    }

    [Fact]
    public async Task A_daily_recipient_quota_holds_across_a_restart()
    {
        using var dir = new TestDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 8, 5, 0, 0, TimeSpan.Zero));
        var spool = new MemorySpool(time);
        for (var i = 0; i < 5; i++)
        {
            spool.Add(Envelope(recipients: 3), Encoding.ASCII.GetBytes(i + "\r\n"));
        }

        var (forwarder, arrivals, _) = Create(dir, spool, time, "* " + Route + " recipients-per-day=10");
        await forwarder.RunOnceAsync(CancellationToken.None);
        Assert.Equal(3, arrivals.Count);

        // A restart an hour later: a new forwarder reads the state back and still has one recipient of the day left.
        time.Advance(TimeSpan.FromHours(1));
        var (restarted, after, _) = Create(dir, spool, time, "* " + Route + " recipients-per-day=10");
        await restarted.RunOnceAsync(CancellationToken.None);
        Assert.Empty(after);
        Assert.Equal(2, spool.Count);

        time.Advance(TimeSpan.FromHours(23) + TimeSpan.FromMinutes(25));
        await restarted.RunOnceAsync(CancellationToken.None);
        Assert.Equal(2, after.Count);
        Assert.Equal(0, spool.Count);
    }

    [Fact]
    public void A_rolling_bucket_gives_each_token_back_one_period_after_it_was_taken()
    {
        var t0 = new DateTimeOffset(2026, 12, 8, 5, 0, 0, TimeSpan.Zero);
        var bucket = new RollingBucket(3, TimeSpan.FromMinutes(1));
        bucket.Take(1, t0);
        bucket.Take(2, t0 + TimeSpan.FromSeconds(30));
        Assert.False(bucket.CanTake(1, t0 + TimeSpan.FromSeconds(59)));
        Assert.Equal(TimeSpan.FromSeconds(2), bucket.TimeUntil(1, t0 + TimeSpan.FromSeconds(59)));
        Assert.Equal(1, bucket.Available(t0 + TimeSpan.FromSeconds(61)));
        Assert.Equal(3, bucket.Available(t0 + TimeSpan.FromSeconds(91)));

        // More than the capacity at once: only from a full bucket.
        Assert.True(bucket.CanTake(5, t0 + TimeSpan.FromSeconds(91)));
    }
}
