using System.Text;
using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Smtp.Client;
using EmailRelay.Smtp.Client;
using EmailRelay.Spool;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Smtp.Client;

public class ForwarderTests
{
    private static readonly ForwardTarget s_default = new("127.0.0.1", 25, false);

    private static Envelope Envelope(string selector = "", string forwardToAddress = "", string forwardTo = "") => new()
    {
        From = "a@x",
        ToRemote = ["b@y"],
        Body = BodyType.SevenBit,
        ClientAccountSelector = selector,
        ForwardTo = forwardTo,
        ForwardToAddress = forwardToAddress,
    };

    private static (Forwarder Forwarder, List<(ForwardTarget Target, FakeUpstream Upstream)> Connections) Create(
        MemorySpool spool, IMessageFilter? filter = null, Func<string, string?>? script = null, int retryLimit = 5, Func<ForwardTarget, bool>? refuse = null,
        int connectionCount = 1, bool forwardToSome = false, TimeProvider? time = null, TimeSpan? idle = null)
    {
        var connections = new List<(ForwardTarget, FakeUpstream)>();
        var client = new SmtpClientOptions { Target = s_default, Policy = SmtpClientPolicy.Default with { ForwardToSome = forwardToSome } };
        var options = new ForwardingOptions { Client = client, RetryLimit = retryLimit, Connections = connectionCount };
        options = idle is { } idleTime ? options with { IdleConnectionTime = idleTime } : options;
        var forwarder = new Forwarder(spool, filter, options, time ?? TimeProvider.System, NullLogger.Instance, (target, _) =>
        {
            if (refuse?.Invoke(target) == true)
            {
                throw new SmtpConnectException("cannot connect to " + target);
            }

            var upstream = new FakeUpstream(script);
            lock (connections)
            {
                connections.Add((target, upstream));
            }

            return Task.FromResult(new SmtpClientConnection(upstream.ClientStream, "127.0.0.1", options.Client, TimeProvider.System, NullLogger.Instance));
        });
        return (forwarder, connections);
    }

    private static int CountOf(List<(ForwardTarget Target, FakeUpstream Upstream)> connections)
    {
        lock (connections)
        {
            return connections.Count;
        }
    }

    private static async Task<List<MessageId>> ListAsync(MemorySpool spool, SpoolView view)
    {
        var ids = new List<MessageId>();
        await foreach (var id in spool.ListAsync(view, CancellationToken.None))
        {
            ids.Add(id);
        }

        return ids;
    }

    [Fact]
    public async Task One_connection_is_reused_until_the_address_or_selector_changes()
    {
        var spool = new MemorySpool();
        spool.Add(Envelope(), "1\r\n"u8);
        spool.Add(Envelope(), "2\r\n"u8);
        spool.Add(Envelope(selector: "alice"), "3\r\n"u8);
        spool.Add(Envelope(forwardToAddress: "10.0.0.9:2525"), "4\r\n"u8);
        var (forwarder, connections) = Create(spool);

        var result = await forwarder.RunOnceAsync(CancellationToken.None);

        Assert.Equal(4, result.Sent);
        Assert.Equal(0, spool.Count);
        Assert.Equal(["127.0.0.1:25", "127.0.0.1:25", "10.0.0.9:2525"], connections.Select(c => c.Target.ToString()));
        Assert.Equal(2, connections[0].Upstream.Bodies.Count);
        Assert.Equal("1\r\n", Encoding.ASCII.GetString(connections[0].Upstream.Bodies[0]));
    }

    [Fact]
    public async Task A_connect_failure_aborts_the_run_and_leaves_the_messages_ready()
    {
        var spool = new MemorySpool();
        spool.Add(Envelope(), "1\r\n"u8);
        spool.Add(Envelope(), "2\r\n"u8);
        var (forwarder, _) = Create(spool, refuse: _ => true);
        var result = await forwarder.RunOnceAsync(CancellationToken.None);
        Assert.Equal("cannot connect to 127.0.0.1:25", result.ConnectError);
        Assert.Equal(2, (await ListAsync(spool, SpoolView.Ready)).Count);
    }

    [Fact]
    public async Task An_unreachable_routed_address_is_skipped_for_the_rest_of_the_run()
    {
        var spool = new MemorySpool();
        spool.Add(Envelope(forwardToAddress: "10.0.0.9:25"), "1\r\n"u8);
        spool.Add(Envelope(), "2\r\n"u8);
        spool.Add(Envelope(forwardToAddress: "10.0.0.9:25"), "3\r\n"u8);
        var (forwarder, _) = Create(spool, refuse: t => t.Host == "10.0.0.9");
        var result = await forwarder.RunOnceAsync(CancellationToken.None);
        Assert.Null(result.ConnectError);
        Assert.Equal(1, result.Sent);
        Assert.Equal(2, (await ListAsync(spool, SpoolView.Ready)).Count);
    }

    public static TheoryData<int, int, int, string> FilterRows() => new()
    {
        // exit code → ready, failed, sent, reason code of the failure
        { 0, 0, 0, "" },
        { 1, 0, 1, "550" },
        { 100, 1, 0, "" },
        { 102, 1, 0, "" },
        { 104, 2, 0, "" },
        { 105, 1, 1, "550" },
    };

    [Theory]
    [MemberData(nameof(FilterRows))]
    public async Task Client_filter_exit_codes_follow_the_client_side_table(int exitCode, int ready, int failed, string code)
    {
        var spool = new MemorySpool();
        var first = spool.Add(Envelope(), "1\r\n"u8);
        spool.Add(Envelope(), "2\r\n"u8);
        var filter = new ScriptedFilter(id => id == first ? exitCode : 0);
        var (forwarder, _) = Create(spool, filter);
        await forwarder.RunOnceAsync(CancellationToken.None);
        Assert.Equal(ready, (await ListAsync(spool, SpoolView.Ready)).Count);
        var failedIds = await ListAsync(spool, SpoolView.Failed);
        Assert.Equal(failed, failedIds.Count);
        if (code.Length > 0)
        {
            Assert.Contains("X-MailRelay-ReasonCode: " + code, spool.GetEnvelope(failedIds[0])!.Trailer);
        }
    }

    [Fact]
    public async Task A_failing_routing_filter_fails_with_code_0()
    {
        var spool = new MemorySpool();
        var id = spool.Add(Envelope(forwardTo: "x"), "1\r\n"u8);
        var (forwarder, connections) = Create(spool, new ScriptedFilter(_ => 1));
        await forwarder.RunOnceAsync(CancellationToken.None);
        Assert.Empty(connections);
        var trailer = spool.GetEnvelope(id)!.Trailer;
        Assert.Contains(trailer, l => l.StartsWith("X-MailRelay-Reason: routing filter failed: ", StringComparison.Ordinal));
        Assert.Contains("X-MailRelay-ReasonCode:", trailer);
    }

    [Theory]
    [InlineData(5, 1, 0)]
    [InlineData(1, 0, 1)]
    [InlineData(0, 0, 1)]
    public async Task A_4xx_is_deferred_until_the_retry_limit(int retryLimit, int ready, int failed)
    {
        var spool = new MemorySpool();
        spool.Add(Envelope(), "1\r\n"u8);
        var (forwarder, _) = Create(spool, script: c => c.StartsWith("RCPT", StringComparison.Ordinal) ? "451 later" : null, retryLimit: retryLimit);
        await forwarder.RunOnceAsync(CancellationToken.None);
        Assert.Equal(ready, (await ListAsync(spool, SpoolView.Ready)).Count);
        Assert.Equal(failed, (await ListAsync(spool, SpoolView.Failed)).Count);
    }

    [Fact]
    public async Task Retry_delay_doubles_from_the_base_up_to_an_hour()
    {
        Assert.Equal(TimeSpan.Zero, RetrySchedule.Delay(0, TimeSpan.FromSeconds(60)));
        Assert.Equal(TimeSpan.FromSeconds(60), RetrySchedule.Delay(1, TimeSpan.FromSeconds(60)));
        Assert.Equal(TimeSpan.FromSeconds(240), RetrySchedule.Delay(3, TimeSpan.FromSeconds(60)));
        Assert.Equal(TimeSpan.FromHours(1), RetrySchedule.Delay(30, TimeSpan.FromSeconds(60)));
        var envelope = Envelope() with { Trailer = ["X-MailRelay-Reason: x", "X-MailRelay-ReasonCode: 451"] };
        var written = DateTimeOffset.UnixEpoch;
        Assert.False(RetrySchedule.IsDue(envelope, written, written.AddSeconds(59), TimeSpan.FromSeconds(60)));
        Assert.True(RetrySchedule.IsDue(envelope, written, written.AddSeconds(60), TimeSpan.FromSeconds(60)));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Several_connections_share_one_run_and_deliver_every_message_exactly_once()
    {
        var spool = new MemorySpool();
        for (var i = 0; i < 12; i++)
        {
            spool.Add(Envelope(), Encoding.ASCII.GetBytes("m" + i + "\r\n"));
        }

        var (forwarder, connections) = Create(spool, connectionCount: 3);

        var result = await forwarder.RunOnceAsync(CancellationToken.None);

        Assert.Equal(12, result.Sent);
        Assert.Equal(0, spool.Count);
        Assert.Equal(3, connections.Count);
        var bodies = connections.SelectMany(c => c.Upstream.Bodies).Select(b => Encoding.ASCII.GetString(b)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Enumerable.Range(0, 12).Select(i => "m" + i + "\r\n").Order(StringComparer.Ordinal), bodies);
        await Task.WhenAll(connections.Select(c => c.Upstream.Served));
        Assert.All(connections, c => Assert.Equal("QUIT", c.Upstream.Commands[^1]));
    }

    [Fact]
    public async Task More_connections_than_messages_opens_only_one_per_message()
    {
        var spool = new MemorySpool();
        spool.Add(Envelope(), "1\r\n"u8);
        spool.Add(Envelope(), "2\r\n"u8);
        var (forwarder, connections) = Create(spool, connectionCount: 8);
        var result = await forwarder.RunOnceAsync(CancellationToken.None);
        Assert.Equal(2, result.Sent);
        Assert.Equal(2, connections.Count);
    }

    [Fact]
    public async Task A_connect_failure_with_several_connections_aborts_the_run_and_leaves_the_rest_ready()
    {
        var spool = new MemorySpool();
        for (var i = 0; i < 6; i++)
        {
            spool.Add(Envelope(), "x\r\n"u8);
        }

        var (forwarder, _) = Create(spool, refuse: _ => true, connectionCount: 3);
        var result = await forwarder.RunOnceAsync(CancellationToken.None);
        Assert.Equal("cannot connect to 127.0.0.1:25", result.ConnectError);
        Assert.Equal(6, (await ListAsync(spool, SpoolView.Ready)).Count);
        Assert.Empty(await ListAsync(spool, SpoolView.Failed));
    }

    [Fact]
    public async Task A_drain_during_a_delivery_lets_it_finish_and_starts_no_other_message()
    {
        var spool = new MemorySpool();
        for (var i = 0; i < 3; i++)
        {
            spool.Add(Envelope(), "m\r\n"u8);
        }

        using var draining = new CancellationTokenSource();
        var (forwarder, connections) = Create(spool, script: command =>
        {
            if (command.StartsWith("MAIL", StringComparison.Ordinal))
            {
                // The drain starts while the first message is being sent.
                draining.Cancel();
            }

            return null;
        });
        forwarder.Request("forward");
        await forwarder.RunAsync(CancellationToken.None, draining.Token).WaitAsync(TimeSpan.FromSeconds(30));

        var upstream = Assert.Single(connections).Upstream;
        Assert.Single(upstream.Bodies);
        Assert.Equal("QUIT", upstream.Commands[^1]);
        Assert.Equal(2, (await ListAsync(spool, SpoolView.Ready)).Count);
        Assert.Equal(2, spool.Count);
    }

    [Fact]
    public async Task A_run_requested_during_a_run_reuses_its_connection_and_the_connection_closes_when_idle()
    {
        var spool = new MemorySpool();
        spool.Add(Envelope(), "1\r\n"u8);
        Forwarder? self = null;
        var added = 0;
        var (forwarder, connections) = Create(spool, script: command =>
        {
            if (command.StartsWith("MAIL", StringComparison.Ordinal) && Interlocked.Exchange(ref added, 1) == 0)
            {
                // A message arrives and a trigger fires while the first run is sending.
                spool.Add(Envelope(), "2\r\n"u8);
                self!.Request("client disconnect");
            }

            return null;
        }, idle: TimeSpan.Zero);
        self = forwarder;
        using var shutdown = new CancellationTokenSource();
        forwarder.Request("forward");
        var loop = forwarder.RunAsync(shutdown.Token);
        await Poll.UntilAsync(() => CountOf(connections) > 0, TimeSpan.FromSeconds(30), "a connection");
        var upstream = connections[0].Upstream;
        await upstream.Served.WaitAsync(TimeSpan.FromSeconds(30));
        await shutdown.CancelAsync();
        await loop;

        Assert.Single(connections);
        Assert.Equal(2, upstream.Bodies.Count);
        Assert.Single(upstream.Commands, c => c.StartsWith("EHLO", StringComparison.Ordinal));
        Assert.Equal("QUIT", upstream.Commands[^1]);
        Assert.Equal(0, spool.Count);
    }

    [Fact]
    public async Task Triggered_runs_share_one_connection_which_quits_once_idle_for_the_idle_time()
    {
        var spool = new MemorySpool();
        var time = new FakeTimeProvider();
        var (forwarder, connections) = Create(spool, time: time, idle: TimeSpan.FromSeconds(2));
        using var shutdown = new CancellationTokenSource();
        var loop = forwarder.RunAsync(shutdown.Token);
        for (var i = 0; i < 3; i++)
        {
            spool.Add(Envelope(), Encoding.ASCII.GetBytes("m" + i + "\r\n"));
            forwarder.Request("client disconnect");
            await Poll.UntilAsync(() => spool.Count == 0, TimeSpan.FromSeconds(30), "message " + i + " sent");
        }

        var upstream = Assert.Single(connections).Upstream;
        Assert.Equal(3, upstream.Bodies.Count);
        Assert.Single(upstream.Commands, c => c.StartsWith("EHLO", StringComparison.Ordinal));
        Assert.DoesNotContain("QUIT", upstream.Commands);

        // The idle timer starts when the loop waits; keep the clock moving until the QUIT.
        await Poll.UntilAsync(() => { time.Advance(TimeSpan.FromSeconds(1)); return upstream.Served.IsCompleted; }, TimeSpan.FromSeconds(30), "the idle QUIT");
        Assert.Equal("QUIT", upstream.Commands[^1]);
        await shutdown.CancelAsync();
        await loop;
        Assert.Single(connections);
    }

    [Theory]
    [InlineData("<drop>")]
    [InlineData("421 4.4.2 idle timeout, closing connection")]
    public async Task A_kept_connection_the_server_closes_as_the_next_message_starts_is_replaced_without_failing_it(string closing)
    {
        var spool = new MemorySpool();
        spool.Add(Envelope(), "1\r\n"u8);
        spool.Add(Envelope(), "2\r\n"u8);
        var mails = 0;
        var (forwarder, connections) = Create(spool, script: command =>
            command.StartsWith("MAIL", StringComparison.Ordinal) && Interlocked.Increment(ref mails) == 2 ? closing : null);

        var result = await forwarder.RunOnceAsync(CancellationToken.None);

        Assert.Equal(2, result.Sent);
        Assert.Equal(0, spool.Count);
        Assert.Empty(await ListAsync(spool, SpoolView.Failed));
        Assert.Equal(2, connections.Count);
        Assert.Single(connections[0].Upstream.Bodies);
        Assert.Single(connections[1].Upstream.Bodies);
    }

    [Fact]
    public async Task A_new_connection_the_server_closes_at_mail_still_defers_the_message()
    {
        var spool = new MemorySpool();
        spool.Add(Envelope(), "1\r\n"u8);
        var (forwarder, connections) = Create(spool, script: command => command.StartsWith("MAIL", StringComparison.Ordinal) ? "<drop>" : null);

        var result = await forwarder.RunOnceAsync(CancellationToken.None);

        Assert.Equal(0, result.Sent);
        Assert.Single(connections);
        Assert.Single(await ListAsync(spool, SpoolView.Ready));
    }

    [Fact]
    public async Task Forward_now_delivers_the_message_and_removes_it()
    {
        var spool = new MemorySpool();
        var id = spool.Add(Envelope(), "1\r\n"u8);
        var (forwarder, connections) = Create(spool);
        var reply = await forwarder.ForwardNowAsync(id, CancellationToken.None);
        Assert.Null(reply);
        Assert.Equal(0, spool.Count);
        Assert.Single(Assert.Single(connections).Upstream.Bodies);
    }

    [Theory]
    [InlineData("MAIL", "553 5.1.8 sender refused", 553, "5.1.8 sender refused")]
    [InlineData("<dot>", "554 5.7.1 rejected at end of data", 554, "5.7.1 rejected at end of data")]
    [InlineData("RCPT", "451 4.3.0 try later", 452, "one or more recipients rejected")]
    public async Task Forward_now_returns_the_upstream_failure_and_leaves_no_copy(string when, string upstreamReply, int code, string text)
    {
        var spool = new MemorySpool();
        var id = spool.Add(Envelope(), "1\r\n"u8);
        var (forwarder, _) = Create(spool, script: c => c.StartsWith(when, StringComparison.Ordinal) ? upstreamReply : null);
        var reply = await forwarder.ForwardNowAsync(id, CancellationToken.None);
        Assert.NotNull(reply);
        Assert.Equal(code, reply.Value.Code);
        Assert.Contains(text, string.Join("\n", reply.Value.Lines), StringComparison.Ordinal);
        Assert.Equal(0, spool.Count);
    }

    [Fact]
    public async Task Forward_now_with_one_recipient_of_several_rejected_replies_452_as_the_reference_observed()
    {
        var spool = new MemorySpool();
        var id = spool.Add(Envelope() with { ToRemote = ["b@y", "c@z"] }, "1\r\n"u8);
        var (forwarder, connections) = Create(spool, script: c => c.Contains("<c@z>", StringComparison.Ordinal) ? "550 5.1.1 no such user" : null);
        var reply = await forwarder.ForwardNowAsync(id, CancellationToken.None);
        Assert.NotNull(reply);
        Assert.Equal(452, reply.Value.Code);
        Assert.Equal("one or more recipients rejected", reply.Value.Lines[0]);
        Assert.Equal(0, spool.Count);
        Assert.Empty(Assert.Single(connections).Upstream.Bodies);
    }

    [Fact]
    public async Task Forward_now_with_forward_to_some_and_a_partial_delivery_replies_success_and_keeps_only_the_rejected_recipient()
    {
        var spool = new MemorySpool();
        var id = spool.Add(Envelope() with { ToRemote = ["b@y", "c@z"] }, "1\r\n"u8);
        var (forwarder, connections) = Create(spool, script: c => c.Contains("<c@z>", StringComparison.Ordinal) ? "550 5.1.1 no such user" : null, forwardToSome: true);
        var reply = await forwarder.ForwardNowAsync(id, CancellationToken.None);
        Assert.Null(reply);
        Assert.Single(Assert.Single(connections).Upstream.Bodies);
        Assert.Equal([id], await ListAsync(spool, SpoolView.Failed));
        Assert.Equal(["c@z"], spool.GetEnvelope(id)!.ToRemote);
    }

    [Fact]
    public async Task A_message_without_content_fails_alone_and_the_run_carries_on()
    {
        var spool = new MemorySpool();
        var missing = spool.Add(Envelope(), "1\r\n"u8);
        spool.Add(Envelope(), "2\r\n"u8);
        spool.RemoveContentExternally(missing);
        var (forwarder, connections) = Create(spool);

        var result = await forwarder.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, result.Sent);
        Assert.Equal([missing], await ListAsync(spool, SpoolView.Failed));
        Assert.Contains(spool.GetEnvelope(missing)!.Trailer, l => l.StartsWith("X-MailRelay-Reason: ", StringComparison.Ordinal) && l.Contains("no content", StringComparison.Ordinal));
        Assert.Equal("2\r\n", Encoding.ASCII.GetString(Assert.Single(Assert.Single(connections).Upstream.Bodies)));
    }

    [Fact]
    public async Task Forward_now_with_the_upstream_down_returns_452_and_leaves_no_copy()
    {
        var spool = new MemorySpool();
        var id = spool.Add(Envelope(), "1\r\n"u8);
        var (forwarder, _) = Create(spool, refuse: _ => true);
        var reply = await forwarder.ForwardNowAsync(id, CancellationToken.None);
        Assert.NotNull(reply);
        Assert.Equal(452, reply.Value.Code);
        Assert.Contains("cannot connect to 127.0.0.1:25", reply.Value.Lines[0], StringComparison.Ordinal);
        Assert.Equal(0, spool.Count);
    }

    [Fact]
    public async Task An_immediate_session_sends_all_its_messages_over_one_upstream_connection_and_quits_at_its_end()
    {
        // Issue 23 J: E-MailRelay's --immediate proxy uses one upstream connection for the whole client session,
        // so a server failing the n-th message of a connection sees the n-th message, and the others still go.
        var spool = new MemorySpool();
        var first = spool.Add(Envelope(), "1\r\n"u8);
        var second = spool.Add(Envelope() with { ToRemote = ["reject@y"] }, "2\r\n"u8);
        var third = spool.Add(Envelope(), "3\r\n"u8);
        var (forwarder, connections) = Create(spool, script: c => c == "RCPT TO:<reject@y>" ? "550 5.1.1 no such user" : null);

        var session = forwarder.OpenImmediateSession();
        Assert.Null(await session.ForwardAsync(first, CancellationToken.None));
        var rejected = await session.ForwardAsync(second, CancellationToken.None);
        Assert.Null(await session.ForwardAsync(third, CancellationToken.None));
        var upstream = Assert.Single(connections).Upstream;
        Assert.DoesNotContain("QUIT", upstream.Commands);
        await session.DisposeAsync();

        Assert.Equal(452, rejected?.Code);
        Assert.Equal(["1\r\n", "3\r\n"], upstream.Bodies.Select(b => Encoding.ASCII.GetString(b)));
        Assert.Equal(3, upstream.Commands.Count(c => c.StartsWith("MAIL FROM:", StringComparison.Ordinal)));
        Assert.Equal("QUIT", upstream.Commands[^1]);
        Assert.Equal(0, spool.Count);
    }

    [Fact]
    public async Task An_immediate_session_replaces_a_connection_the_server_has_closed()
    {
        var spool = new MemorySpool();
        var first = spool.Add(Envelope(), "1\r\n"u8);
        var second = spool.Add(Envelope(), "2\r\n"u8);
        var mails = 0;

        // The server drops the kept connection as the second message's MAIL arrives (its idle timeout).
        var (forwarder, connections) = Create(spool, script: c => c.StartsWith("MAIL", StringComparison.Ordinal) && Interlocked.Increment(ref mails) == 2 ? "<drop>" : null);

        await using var session = forwarder.OpenImmediateSession();
        Assert.Null(await session.ForwardAsync(first, CancellationToken.None));
        Assert.Null(await session.ForwardAsync(second, CancellationToken.None));
        Assert.Equal(2, CountOf(connections));
        Assert.Equal("1\r\n", Encoding.ASCII.GetString(Assert.Single(connections[0].Upstream.Bodies)));
        Assert.Equal("2\r\n", Encoding.ASCII.GetString(Assert.Single(connections[1].Upstream.Bodies)));
        Assert.Equal(0, spool.Count);
    }

    [Fact]
    public async Task Forward_now_leaves_a_message_another_run_holds()
    {
        var spool = new MemorySpool();
        var id = spool.Add(Envelope(), "1\r\n"u8);
        var (forwarder, connections) = Create(spool);
        await using var held = await spool.TryLockAsync(id, CancellationToken.None);
        Assert.Null(await forwarder.ForwardNowAsync(id, CancellationToken.None));
        Assert.Empty(connections);
        Assert.Equal(1, spool.Count);
    }

    private sealed class ScriptedFilter(Func<MessageId, int> exitCode) : IMessageFilter
    {
        public string Name => "scripted";

        public Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken) =>
            Task.FromResult(FilterExitCodes.ToResult(exitCode(context.Id), context.IsServerSide, FilterOutputParser.Parse([])));
    }
}
