using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Smtp.Client;
using EmailRelay.Smtp.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Smtp.Client;

public class SmtpClientConnectionTests
{
    private static readonly OutgoingMessage s_message = new("a@x", ["b@y"], BodyType.SevenBit, false);

    private static SmtpClientConnection Connect(FakeUpstream upstream, TimeProvider? time = null, SmtpClientOptions? options = null) =>
        new(upstream.ClientStream, "127.0.0.1", options ?? new SmtpClientOptions { Domain = "localhost" }, time ?? TimeProvider.System, NullLogger.Instance);

    private static Func<Stream> Content(string text) => () => new MemoryStream(Encoding.ASCII.GetBytes(text));

    [Fact]
    public async Task Two_messages_go_over_one_session_with_dot_stuffing_and_the_final_dot_in_the_last_body_write()
    {
        var upstream = new FakeUpstream();
        await using var connection = Connect(upstream);
        Assert.Null(await connection.OpenAsync(CancellationToken.None));
        var body = ".a\r\nb\r\n.\r\n" + new string('x', 300_000) + "\r\nend";
        Assert.True((await connection.SendAsync(s_message, Content(body), CancellationToken.None)).IsComplete);
        var lastBodyWrite = upstream.ClientWrites[^1];
        Assert.True(lastBodyWrite.Length > 5);
        Assert.EndsWith("end\r\n.\r\n", Encoding.ASCII.GetString(lastBodyWrite), StringComparison.Ordinal);
        Assert.True((await connection.SendAsync(s_message, Content("second\r\n"), CancellationToken.None)).IsComplete);
        await connection.QuitAsync(CancellationToken.None);
        await upstream.Served;

        Assert.Equal(
            ["EHLO 127.0.0.1", "MAIL FROM:<a@x> BODY=7BIT", "RCPT TO:<b@y>", "DATA", "MAIL FROM:<a@x> BODY=7BIT", "RCPT TO:<b@y>", "DATA", "QUIT"],
            upstream.Commands);
        Assert.Equal("..a\r\nb\r\n..\r\n" + new string('x', 300_000) + "\r\nend\r\n", Encoding.ASCII.GetString(upstream.Bodies[0]));
        Assert.Equal("second\r\n", Encoding.ASCII.GetString(upstream.Bodies[1]));
    }

    [Fact]
    public async Task Pipelining_puts_mail_and_rcpts_in_one_write()
    {
        var upstream = new FakeUpstream();
        var options = new SmtpClientOptions { Domain = "relay.example", Policy = SmtpClientPolicy.Default with { Pipelining = true } };
        await using var connection = Connect(upstream, options: options);
        Assert.Null(await connection.OpenAsync(CancellationToken.None));
        await connection.SendAsync(s_message with { Recipients = ["b@y", "c@y"] }, Content("x\r\n"), CancellationToken.None);
        Assert.Contains(upstream.ClientWrites, w => Encoding.ASCII.GetString(w) == "MAIL FROM:<a@x> BODY=7BIT\r\nRCPT TO:<b@y>\r\nRCPT TO:<c@y>\r\n");
        Assert.StartsWith("EHLO relay.example", Encoding.ASCII.GetString(upstream.ClientWrites[0]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_greeting_within_the_prompt_timeout_sends_ehlo_anyway()
    {
        var time = new FakeTimeProvider();
        var upstream = new FakeUpstream(greeting: null);
        await using var connection = Connect(upstream, time);
        var open = connection.OpenAsync(CancellationToken.None);
        await Task.Yield();
        Assert.Empty(upstream.Commands);
        await WaitForTimerAndAdvanceAsync(time, open, TimeSpan.FromSeconds(20));
        Assert.Null(await open);
        Assert.Equal(["EHLO 127.0.0.1"], upstream.Commands);
    }

    [Fact]
    public async Task A_silent_server_times_out_transiently_and_the_connection_is_unusable()
    {
        var time = new FakeTimeProvider();
        var upstream = new FakeUpstream(c => c.StartsWith("RCPT", StringComparison.Ordinal) ? "<silent>" : null);
        await using var connection = Connect(upstream, time);
        Assert.Null(await connection.OpenAsync(CancellationToken.None));
        var send = connection.SendAsync(s_message, Content("x\r\n"), CancellationToken.None);
        await WaitForTimerAndAdvanceAsync(time, send, TimeSpan.FromSeconds(300));
        var outcome = await send;
        Assert.Equal("response timeout after 300s", outcome.Reason);
        Assert.True(outcome.Transient);
        Assert.False(connection.IsUsable);
    }

    [Fact]
    public async Task Cancelling_during_a_timed_reply_read_is_a_cancellation_not_a_timeout()
    {
        var time = new FakeTimeProvider();
        var upstream = new FakeUpstream(c => c.StartsWith("RCPT", StringComparison.Ordinal) ? "<silent>" : null);
        await using var connection = Connect(upstream, time);
        Assert.Null(await connection.OpenAsync(CancellationToken.None));
        using var cancel = new CancellationTokenSource();
        var send = connection.SendAsync(s_message, Content("x\r\n"), cancel.Token);
        await EmailRelay.Testing.Tools.Poll.UntilAsync(() => upstream.Commands.Contains("RCPT TO:<b@y>"), TimeSpan.FromSeconds(30), "RCPT sent");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
    }

    [Fact]
    public async Task A_dropped_connection_mid_transaction_is_transient()
    {
        var upstream = new FakeUpstream(c => c == "DATA" ? "<drop>" : null);
        await using var connection = Connect(upstream);
        Assert.Null(await connection.OpenAsync(CancellationToken.None));
        var outcome = await connection.SendAsync(s_message, Content("x\r\n"), CancellationToken.None);
        Assert.True(outcome.Transient);
        Assert.False(outcome.Delivered);
        Assert.False(connection.IsUsable);
    }

    [Fact]
    public async Task A_garbage_reply_is_an_unexpected_response()
    {
        var upstream = new FakeUpstream(c => c.StartsWith("MAIL", StringComparison.Ordinal) ? "hello there" : null);
        await using var connection = Connect(upstream);
        Assert.Null(await connection.OpenAsync(CancellationToken.None));
        var outcome = await connection.SendAsync(s_message, Content("x\r\n"), CancellationToken.None);
        Assert.Equal(SmtpClientSession.UnexpectedResponse, outcome.Reason);
        Assert.False(outcome.Transient);
    }

    /// <summary>Advances the fake clock once the driver has armed its timer (bounded by a real deadline).</summary>
    private static async Task WaitForTimerAndAdvanceAsync(FakeTimeProvider time, Task pending, TimeSpan by)
    {
        for (var i = 0; i < 1000 && !pending.IsCompleted; i++)
        {
            time.Advance(by);
            await Task.Delay(20);
        }
    }
}
