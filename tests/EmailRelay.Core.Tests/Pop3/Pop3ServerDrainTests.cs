namespace EmailRelay.Core.Tests.Pop3;

/// <summary>Graceful drain (issue 22) of a POP session: -ERR at the next command boundary, nothing deleted, nothing left locked.</summary>
public sealed class Pop3ServerDrainTests
{
    [Fact]
    public async Task A_logged_in_session_gets_ERR_and_is_closed_deleting_nothing()
    {
        using var h = new Pop3ServerHarness();
        await h.StoreAsync("Subject: kept\r\n\r\nbody\r\n");
        using var draining = new CancellationTokenSource();
        var (client, server) = await h.ConnectAsync(draining: draining.Token);
        await client.SendAsync("USER alice");
        await client.ExpectAsync("+OK user: alice");
        await client.SendAsync("PASS alice pw");
        await client.ExpectAsync("+OK authenticated");
        await client.SendAsync("DELE 1");
        await client.ExpectAsync("+OK");
        await draining.CancelAsync();
        await client.ExpectAsync("-ERR");
        await client.ExpectClosedAsync();
        await server.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains(h.Files(), f => f.EndsWith(".content", StringComparison.Ordinal));
        Assert.Contains(h.Files(), f => f.EndsWith(".envelope", StringComparison.Ordinal));
        Assert.Contains(h.Logger.Lines, l => l.Contains("pop connection closed: shutdown", StringComparison.Ordinal));
        await client.DisposeAsync();
    }
}
