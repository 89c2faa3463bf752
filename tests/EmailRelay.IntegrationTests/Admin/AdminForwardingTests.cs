using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Admin;

/// <summary>Admin <c>forward</c>, <c>flush</c> and <c>notify</c> with a forwarder and a real SMTP sink.</summary>
public sealed class AdminForwardingTests
{
    private const string P = AdminClient.Prompt;

    [Fact]
    public async Task Flush_with_messages_sends_them_and_replies_ok_and_without_says_no_messages()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relay = await AdminRelay.StartAsync("--forward-to", "127.0.0.1:" + sink.Port);
        await using var admin = await AdminClient.ConnectAsync(relay.AdminPort);
        Assert.Equal("error: no messages to send\r\n" + P, await admin.CommandAsync("flush"));
        relay.AddMessage(1);
        relay.AddMessage(2);
        Assert.Equal("OK\r\n" + P, await admin.CommandAsync("flush"));
        await sink.WaitForMessagesAsync(2, Waiting.DefaultTimeout);
        Assert.Equal("<none>\r\n" + P, await admin.CommandAsync("list"));
    }

    [Fact]
    public async Task Forward_replies_ok_and_notify_pushes_the_run_events()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relay = await AdminRelay.StartAsync("--forward-to", "127.0.0.1:" + sink.Port);
        await using var admin = await AdminClient.ConnectAsync(relay.AdminPort);
        Assert.Equal(P, await admin.CommandAsync("notify"));
        var id = relay.AddMessage(1);
        await admin.SendAsync("forward");
        var text = await admin.ReadUntilAsync(s => s.Contains("EVENT: client: forward: end  ", StringComparison.Ordinal));
        Assert.StartsWith("OK\r\n" + P, text, StringComparison.Ordinal);
        var expected = new[]
        {
            "\r\nEVENT: client: forward: start: admin  ",
            "\r\nEVENT: network: out: start  ",
            "\r\nEVENT: client: connecting: ",
            "\r\nEVENT: client: sending: " + id + "  ",
            "\r\nEVENT: client: connected: 127.0.0.1:" + sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) + "  ",
            "\r\nEVENT: client: sent: " + id + "  ",
            "\r\nEVENT: network: out: stop  ",
            "\r\nEVENT: client: forward: end  ",
        };
        var at = 0;
        foreach (var e in expected)
        {
            var found = text.IndexOf(e, at, StringComparison.Ordinal);
            Assert.True(found >= 0, "missing or out of order: [" + e + "] in [" + text + "]");
            at = found + e.Length;
        }

        await sink.WaitForMessagesAsync(1, Waiting.DefaultTimeout);
        var status = await admin.CommandAsync("status");
        Assert.Contains("OUT started: 1\r\nOUT finished: 1\r\n", status, StringComparison.Ordinal);
    }
}
