using System.Text;
using EmailRelay.Auth;
using EmailRelay.Auth.OAuth;
using EmailRelay.Core.Tests.Auth.OAuth;
using EmailRelay.Core.Tests.Events;
using EmailRelay.Events;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Smtp.Client;
using EmailRelay.Smtp.Client;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Smtp.Client;

/// <summary>
/// Forwarding with OAuth grants in the client secrets: an in-memory token endpoint issuing <c>tok-N</c> with a
/// lifetime, in-memory upstreams that check the bearer token (issued, unexpired, not revoked) on a fake clock that
/// each MAIL moves on, and the spool's envelopes and the event stream afterwards.
/// </summary>
public class ForwarderOAuthTests
{
    private const string Grant = "token-url=https://oauth2.example/token;client-id=cid;client-secret=csecret;refresh-token=rtoken;scope=https://mail.google.com/";

    private sealed class Upstream
    {
        public Upstream(FakeTokenEndpoint endpoint, FakeTimeProvider time)
        {
            Endpoint = endpoint;
            Time = time;
        }

        public FakeTokenEndpoint Endpoint { get; }

        public FakeTimeProvider Time { get; }

        public Dictionary<string, DateTimeOffset> Expiries { get; } = [];

        public HashSet<string> Revoked { get; } = [];

        public bool RevokeAll { get; set; }

        public string Mechanisms { get; set; } = "XOAUTH2 OAUTHBEARER";

        public List<string> Auths { get; } = [];

        public List<DateTimeOffset> AuthTimes { get; } = [];

        public int Delivered { get; set; }

        public bool RevokeAfterFirstDelivery { get; set; }

        public string? Reply(string command)
        {
            if (command.StartsWith("EHLO", StringComparison.Ordinal))
            {
                return "250-fake\r\n250-AUTH " + Mechanisms + "\r\n250 8BITMIME";
            }

            if (command.StartsWith("AUTH ", StringComparison.Ordinal))
            {
                var parts = command.Split(' ');
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(parts[2]));
                var token = text[(text.IndexOf("Bearer ", StringComparison.Ordinal) + 7)..].TrimEnd('\u0001');
                lock (Expiries)
                {
                    // tok-N was issued when the endpoint issued it: its expiry is noted then (see Issue).
                    var ok = !RevokeAll && !Revoked.Contains(token) && Expiries.TryGetValue(token, out var expiry) && Time.GetUtcNow() < expiry;
                    Auths.Add(parts[1] + " " + token + " " + (ok ? "ok" : "fail"));
                    AuthTimes.Add(Time.GetUtcNow());
                    return ok ? "235 ok" : "535 5.7.8 bad token";
                }
            }

            if (command.StartsWith("MAIL", StringComparison.Ordinal))
            {
                Time.Advance(TimeSpan.FromSeconds(10));
            }

            if (command == "<dot>" && ++Delivered == 1 && RevokeAfterFirstDelivery)
            {
                lock (Expiries)
                {
                    Revoked.Add(Endpoint.Current);
                }
            }

            return null;
        }

        /// <summary>Notes the expiry of each token the endpoint has issued, as the provider knows it.</summary>
        public void NoteIssued()
        {
            lock (Expiries)
            {
                var name = Endpoint.Current;
                if (Endpoint.Issued > 0 && !Expiries.ContainsKey(name))
                {
                    Expiries[name] = Time.GetUtcNow() + TimeSpan.FromSeconds(Endpoint.Lifetime);
                }
            }
        }
    }

    private static Envelope Envelope(string selector) => new() { From = "a@x", ToRemote = ["b@y"], Body = BodyType.SevenBit, ClientAccountSelector = selector };

    private static (Forwarder Forwarder, Upstream Upstream, OAuthTokens Tokens, RecordingObserver Events) Create(MemorySpool spool, FakeTimeProvider time, string secrets)
    {
        var endpoint = new FakeTokenEndpoint();
        var upstream = new Upstream(endpoint, time);
        var tokens = new OAuthTokens(
            async (grant, refresh, ct) =>
            {
                var result = await new OAuthTokenSource(endpoint.Client(), time, TimeSpan.FromSeconds(10)).AcquireAsync(grant, refresh, ct);
                upstream.NoteIssued();
                return result;
            },
            time,
            NullLogger.Instance);
        var client = new SmtpClientOptions
        {
            Target = new ForwardTarget("127.0.0.1", 25, false),
            Secrets = SecretsParser.Parse(secrets, "secrets"),
            Tokens = tokens,
        };
        var options = new ForwardingOptions { Client = client };
        var forwarder = new Forwarder(spool, null, options, time, NullLogger.Instance, (_, _) =>
        {
            var fake = new FakeUpstream(upstream.Reply);
            return Task.FromResult(new SmtpClientConnection(fake.ClientStream, "127.0.0.1", options.Client, TimeProvider.System, NullLogger.Instance));
        });
        var events = new RecordingObserver();
        forwarder.Events.Subscribe(events);
        return (forwarder, upstream, tokens, events);
    }

    [Fact]
    public async Task A_token_expiring_during_a_500_message_run_is_refreshed_exactly_once_per_expiry()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 8, 4, 0, 0, TimeSpan.Zero));
        var spool = new MemorySpool(time);
        for (var i = 0; i < 500; i++)
        {
            // Alternating selectors: every message opens a new connection and authenticates, with the one cached token.
            spool.Add(Envelope(i % 2 == 0 ? "a" : "b"), Encoding.ASCII.GetBytes(i + "\r\n"));
        }

        var (forwarder, upstream, _, _) = Create(spool, time, "client oauth-refresh alice " + Grant + " a\nclient oauth-refresh alice " + Grant + " b\n");
        upstream.Endpoint.Lifetime = 600;

        var result = await forwarder.RunOnceAsync(CancellationToken.None);

        Assert.Equal(500, result.Sent);
        Assert.Equal(0, spool.Count);
        Assert.All(upstream.Auths, a => Assert.EndsWith(" ok", a, StringComparison.Ordinal));

        // Each connection authenticated with the cached token until 60 s before its 600 s expiry, then with one new
        // token: as many token requests as expiries reached, no more (500 messages × 10 s: about nine).
        var expected = 0;
        var refreshAt = DateTimeOffset.MinValue;
        foreach (var at in upstream.AuthTimes)
        {
            if (at >= refreshAt)
            {
                expected++;
                refreshAt = at + TimeSpan.FromSeconds(540);
            }
        }

        Assert.InRange(expected, 8, 10);
        Assert.Equal(expected, upstream.Endpoint.Requests.Count);
        Assert.Equal(expected, upstream.Auths.Select(a => a.Split(' ')[1]).Distinct().Count());
    }

    [Fact]
    public async Task A_revoked_grant_defers_every_message_with_a_clear_reason_until_the_endpoint_recovers()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 8, 4, 0, 0, TimeSpan.Zero));
        var spool = new MemorySpool(time);
        var ids = Enumerable.Range(0, 3).Select(i => spool.Add(Envelope(""), Encoding.ASCII.GetBytes(i + "\r\n"))).ToList();
        var (forwarder, upstream, _, events) = Create(spool, time, "client oauth-refresh alice " + Grant + "\n");
        upstream.Endpoint.Respond = (System.Net.HttpStatusCode.BadRequest, "{\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or revoked.\"}");

        var first = await forwarder.RunOnceAsync(CancellationToken.None);

        const string Reason = "oauth token endpoint https://oauth2.example/token: invalid_grant: Token has been expired or revoked.";
        Assert.Equal(0, first.Sent);
        Assert.Single(upstream.Endpoint.Requests);
        Assert.Empty(upstream.Auths);
        foreach (var id in ids)
        {
            var envelope = spool.GetEnvelope(id)!;
            Assert.Contains("X-MailRelay-Reason: " + Reason, envelope.Trailer);
            Assert.Contains(events.Lines(), l => l == "Deferred " + id + " 0 " + Reason);
        }

        // Still revoked at the next due run, many runs later: never failed, whatever the retry limit (5).
        for (var run = 0; run < 6; run++)
        {
            time.Advance(TimeSpan.FromHours(1));
            await forwarder.RunOnceAsync(CancellationToken.None);
        }

        Assert.Equal(3, spool.Count);
        Assert.DoesNotContain(events.Events, e => e.Kind == RelayEventKind.Failed);

        upstream.Endpoint.Respond = null;
        time.Advance(TimeSpan.FromHours(1));
        var recovered = await forwarder.RunOnceAsync(CancellationToken.None);

        Assert.Equal(3, recovered.Sent);
        Assert.Equal(0, spool.Count);
        Assert.Equal(3, upstream.Delivered);
    }

    [Fact]
    public async Task An_unreachable_endpoint_defers_with_the_reason()
    {
        var time = new FakeTimeProvider();
        var spool = new MemorySpool(time);
        var id = spool.Add(Envelope(""), "1\r\n"u8);
        var (forwarder, upstream, _, _) = Create(spool, time, "client oauth-client relay@contoso.com token-url=https://login.example/token;client-id=app;client-secret=s\n");
        upstream.Endpoint.Down = true;

        await forwarder.RunOnceAsync(CancellationToken.None);

        Assert.Contains("X-MailRelay-Reason: oauth token endpoint https://login.example/token unreachable: Connection refused (127.0.0.1:9)", spool.GetEnvelope(id)!.Trailer);
    }

    [Fact]
    public async Task A_cached_token_the_server_refuses_is_refreshed_once_and_the_message_sent()
    {
        var time = new FakeTimeProvider();
        var spool = new MemorySpool(time);
        spool.Add(Envelope("a"), "1\r\n"u8);
        spool.Add(Envelope("b"), "2\r\n"u8);
        var (forwarder, upstream, _, _) = Create(spool, time, "client oauth-refresh alice " + Grant + " a\nclient oauth-refresh alice " + Grant + " b\n");

        // The provider revokes tok-1 once the first message is in, long before its expiry.
        upstream.RevokeAfterFirstDelivery = true;
        var result = await forwarder.RunOnceAsync(CancellationToken.None);

        Assert.Equal(2, result.Sent);
        Assert.Equal(["XOAUTH2 tok-1 ok", "XOAUTH2 tok-1 fail", "XOAUTH2 tok-2 ok"], upstream.Auths);
        Assert.Equal(2, upstream.Endpoint.Requests.Count);
        Assert.Equal(0, spool.Count);
    }

    [Fact]
    public async Task A_refused_fresh_token_after_the_one_refresh_fails_the_usual_way()
    {
        var time = new FakeTimeProvider();
        var spool = new MemorySpool(time);
        spool.Add(Envelope("a"), "1\r\n"u8);
        spool.Add(Envelope("b"), "2\r\n"u8);
        var (forwarder, upstream, _, _) = Create(spool, time, "client oauth-refresh alice " + Grant + " a\nclient oauth-refresh alice " + Grant + " b\n");
        await forwarder.RunOnceAsync(CancellationToken.None);
        Assert.Equal(0, spool.Count);

        spool.Add(Envelope("a"), "3\r\n"u8);
        upstream.RevokeAll = true;
        await forwarder.RunOnceAsync(CancellationToken.None);

        // The cached tok-1 refused, one refresh (tok-2), refused too: a 535 authentication failure, no third request.
        Assert.Equal(2, upstream.Endpoint.Requests.Count);
        Assert.Equal(["XOAUTH2 tok-1 ok", "XOAUTH2 tok-1 ok", "XOAUTH2 tok-1 fail", "XOAUTH2 tok-2 fail"], upstream.Auths);
    }

    [Fact]
    public async Task Oauthbearer_is_used_when_the_server_offers_only_it()
    {
        var time = new FakeTimeProvider();
        var spool = new MemorySpool(time);
        spool.Add(Envelope(""), "1\r\n"u8);
        var (forwarder, upstream, _, _) = Create(spool, time, "client oauth-client relay@contoso.com token-url=https://login.example/token;client-id=app;client-secret=s\n");
        upstream.Mechanisms = "LOGIN OAUTHBEARER";

        var result = await forwarder.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, result.Sent);
        Assert.Equal(["OAUTHBEARER tok-1 ok"], upstream.Auths);
    }
}
