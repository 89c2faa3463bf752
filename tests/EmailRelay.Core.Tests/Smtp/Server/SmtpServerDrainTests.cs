using System.Text;

namespace EmailRelay.Core.Tests.Smtp.Server;

/// <summary>
/// Graceful drain (issue 22) at the driver: an idle session gets 421 at once; a message whose content is arriving
/// finishes, is acknowledged and stored, and only then gets 421; the shutdown token (the drain deadline or a second
/// signal) ends a message in progress with 421 and keeps nothing of it. Every split point: byte at a time too.
/// </summary>
public sealed class SmtpServerDrainTests
{
    private const string ShuttingDown = "421 service shutting down -- closing connection";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_idle_session_gets_421_and_is_closed(bool byteAtATime)
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime);
        await h.Client.SendAsync("EHLO client.example.com");
        await h.Client.ExpectCodeAsync(250);
        h.Drain();
        await h.Client.ExpectAsync(ShuttingDown);
        await h.Client.ExpectClosedAsync();
        await h.ServerEndedAsync();
        Assert.Contains(h.Logger.Lines, l => l.Contains("smtp connection closed: shutdown", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_session_between_commands_of_a_transaction_gets_421_and_nothing_is_kept(bool byteAtATime)
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime);
        await h.EhloMailRcptAsync();
        h.Drain();
        await h.Client.ExpectAsync(ShuttingDown);
        await h.Client.ExpectClosedAsync();
        await h.ServerEndedAsync();
        Assert.Empty(h.Committed());
        Assert.Equal(0, h.Spool.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_message_in_DATA_finishes_is_stored_and_then_gets_421(bool byteAtATime)
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime);
        await h.EhloMailRcptAsync();
        await h.Client.SendAsync("DATA");
        await h.Client.ExpectCodeAsync(354);
        await h.Client.SendAsync("Subject: first half");
        h.Drain();
        await h.Client.SendBatchAsync("", "second half", ".");
        await h.Client.ExpectCodeAsync(250);
        await h.Client.ExpectAsync(ShuttingDown);
        await h.Client.ExpectClosedAsync();
        await h.ServerEndedAsync();
        Assert.Contains("second half", h.CommittedContent(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_deadline_ends_a_message_in_DATA_with_421_and_keeps_nothing_of_it(bool byteAtATime)
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime);
        await h.EhloMailRcptAsync();
        await h.Client.SendAsync("DATA");
        await h.Client.ExpectCodeAsync(354);
        await h.Client.SendAsync("Subject: never finished");
        h.Drain();
        await h.Client.SendAsync("more content");
        h.Shutdown();
        await h.Client.ExpectAsync(ShuttingDown);
        await h.Client.ExpectClosedAsync();
        await h.ServerEndedAsync();
        Assert.Empty(h.Committed());
        Assert.Equal(0, h.Spool.Count);
    }

    [Fact]
    public async Task Commands_pipelined_after_the_last_message_get_421_after_its_250()
    {
        await using var h = await SmtpServerHarness.StartAsync(byteAtATime: false);
        await h.EhloMailRcptAsync();
        await h.Client.SendAsync("DATA");
        await h.Client.ExpectCodeAsync(354);
        h.Drain();
        await h.Client.SendRawAsync(Encoding.ASCII.GetBytes("body\r\n.\r\nMAIL FROM:<x@y.z>\r\n"));
        await h.Client.ExpectCodeAsync(250);
        var next = await h.Client.ReadLineAsync();
        Assert.True(next is ShuttingDown || next!.StartsWith("250 ", StringComparison.Ordinal), next);
        if (next != ShuttingDown)
        {
            await h.Client.ExpectAsync(ShuttingDown);
        }

        await h.Client.ExpectClosedAsync();
        Assert.Single(h.Committed());
    }
}
