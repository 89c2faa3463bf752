using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Smtp.Client;
using EmailRelay.Smtp.Client;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Core.Tests.Smtp.Client;

/// <summary>
/// Failover (<c>--forward-to host1,host2</c> and a routed <c>ForwardToAddress</c> list): in-memory upstreams per host,
/// each refusing the connection, greeting with a code, or answering EHLO with a code.
/// </summary>
public class ForwarderFailoverTests
{
    private static Envelope Envelope(string forwardToAddress = "") => new()
    {
        From = "a@x",
        ToRemote = ["b@y"],
        Body = BodyType.SevenBit,
        ForwardToAddress = forwardToAddress,
    };

    /// <summary>How each host behaves: <c>refuse</c>, a greeting (<c>421 busy</c>), or <c>ehlo:</c> and the EHLO reply.</summary>
    private static (Forwarder Forwarder, List<(string Host, FakeUpstream Upstream)> Connections, RecordingLogger Log) Create(
        MemorySpool spool, string forwardTo, Dictionary<string, string> behaviour)
    {
        var connections = new List<(string, FakeUpstream)>();
        Assert.True(ForwardTarget.TryParseList(forwardTo, out var targets));
        var client = new SmtpClientOptions { Target = targets[0], Failover = targets.Skip(1).ToArray() };
        var options = new ForwardingOptions { Client = client };
        var log = new RecordingLogger();
        var forwarder = new Forwarder(spool, null, options, TimeProvider.System, log, (target, _) =>
        {
            var host = target.ToString();
            var how = behaviour.GetValueOrDefault(host, "");
            if (how == "refuse")
            {
                throw new SmtpConnectException("cannot connect to " + host);
            }

            var greeting = how.Length > 0 && !how.StartsWith("ehlo:", StringComparison.Ordinal) ? how : "220 " + host + " ready";
            var ehlo = how.StartsWith("ehlo:", StringComparison.Ordinal) ? how[5..] : null;
            var upstream = new FakeUpstream(c => ehlo is not null && c.StartsWith("EHLO", StringComparison.Ordinal) ? ehlo : null, greeting);
            lock (connections)
            {
                connections.Add((host, upstream));
            }

            return Task.FromResult(new SmtpClientConnection(upstream.ClientStream, "127.0.0.1", options.Client, TimeProvider.System, log, peer: host));
        });
        return (forwarder, connections, log);
    }

    private static int Delivered(List<(string Host, FakeUpstream Upstream)> connections, string host) =>
        connections.Where(c => c.Host == host).Sum(c => c.Upstream.Bodies.Count);

    [Theory]
    [InlineData("refuse")]
    [InlineData("421 too busy")]
    [InlineData("ehlo:421 not now")]
    [InlineData("ehlo:451 try later")]
    public async Task Every_message_goes_to_the_second_host_when_the_first_does_not_take_it(string first)
    {
        var spool = new MemorySpool();
        for (var i = 0; i < 5; i++)
        {
            spool.Add(Envelope(), Encoding.ASCII.GetBytes(i + "\r\n"));
        }

        var (forwarder, connections, log) = Create(spool, "10.0.0.1:25,10.0.0.2:25", new() { ["10.0.0.1:25"] = first });

        var result = await forwarder.RunOnceAsync(CancellationToken.None);

        Assert.Null(result.ConnectError);
        Assert.Equal(5, result.Sent);
        Assert.Equal(0, spool.Count);
        Assert.Equal(5, Delivered(connections, "10.0.0.2:25"));
        Assert.Equal(0, Delivered(connections, "10.0.0.1:25"));

        // The first host is given up on for the rest of the run: one attempt, one connection to the second, reused.
        Assert.Equal(first == "refuse" ? 1 : 2, connections.Count);
        Assert.Single(log.Entries, e => e.Message.Contains("failing over to 10.0.0.2:25", StringComparison.Ordinal) && e.Level == LogLevel.Warning);
        Assert.Equal(5, log.Entries.Count(e => e.Message.StartsWith("message [", StringComparison.Ordinal) && e.Message.EndsWith("] accepted by 10.0.0.2:25", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_first_host_takes_every_message_when_it_works()
    {
        var spool = new MemorySpool();
        spool.Add(Envelope(), "1\r\n"u8);
        spool.Add(Envelope(), "2\r\n"u8);
        var (forwarder, connections, log) = Create(spool, "10.0.0.1:25,10.0.0.2:25", []);

        var result = await forwarder.RunOnceAsync(CancellationToken.None);

        Assert.Equal(2, result.Sent);
        Assert.Equal(["10.0.0.1:25"], connections.Select(c => c.Host));
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains("failing over", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_permanent_refusal_at_the_greeting_does_not_fail_over()
    {
        var spool = new MemorySpool();
        var id = spool.Add(Envelope(), "1\r\n"u8);
        var (forwarder, connections, _) = Create(spool, "10.0.0.1:25,10.0.0.2:25", new() { ["10.0.0.1:25"] = "554 go away" });

        await forwarder.RunOnceAsync(CancellationToken.None);

        Assert.Equal(["10.0.0.1:25"], connections.Select(c => c.Host));
        Assert.Contains("554", string.Join("\n", spool.GetEnvelope(id)!.Trailer), StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_every_host_refuses_the_run_ends_with_the_messages_ready()
    {
        var spool = new MemorySpool();
        spool.Add(Envelope(), "1\r\n"u8);
        spool.Add(Envelope(), "2\r\n"u8);
        var (forwarder, _, _) = Create(spool, "10.0.0.1:25,10.0.0.2:25", new() { ["10.0.0.1:25"] = "refuse", ["10.0.0.2:25"] = "refuse" });

        var result = await forwarder.RunOnceAsync(CancellationToken.None);

        Assert.Equal("cannot connect to 10.0.0.2:25", result.ConnectError);
        Assert.Equal(0, result.Sent);
        Assert.Equal(2, spool.Count);
    }

    [Fact]
    public async Task A_routed_failover_list_is_used_in_order()
    {
        var spool = new MemorySpool();
        spool.Add(Envelope(forwardToAddress: "10.0.0.7:25,10.0.0.8:25"), "1\r\n"u8);
        spool.Add(Envelope(), "2\r\n"u8);
        var (forwarder, connections, _) = Create(spool, "10.0.0.1:25", new() { ["10.0.0.7:25"] = "refuse" });

        var result = await forwarder.RunOnceAsync(CancellationToken.None);

        Assert.Equal(2, result.Sent);
        Assert.Equal(1, Delivered(connections, "10.0.0.8:25"));
        Assert.Equal(1, Delivered(connections, "10.0.0.1:25"));
    }

    [Theory]
    [InlineData("a:25", new[] { "a:25" })]
    [InlineData("a:25,b:2525", new[] { "a:25", "b:2525" })]
    [InlineData("a:25, [::1]:26 ,c:smtp", new[] { "a:25", "[::1]:26", "c:25" })]
    [InlineData("/run/sock,et", new[] { "/run/sock,et" })]
    [InlineData("a:25@s:1080,b:25", new[] { "a:25", "b:25" })]
    public void A_failover_list_parses_in_order(string text, string[] expected)
    {
        Assert.True(ForwardTarget.TryParseList(text, out var targets));
        Assert.Equal(expected, targets.Select(t => t.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a:25,")]
    [InlineData(",a:25")]
    [InlineData("a:25,b")]
    public void A_bad_failover_list_is_refused(string text) => Assert.False(ForwardTarget.TryParseList(text, out _));
}
