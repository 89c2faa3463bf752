namespace EmailRelay.IntegrationTests.Auth;

/// <summary>
/// The STARTTLS plaintext-injection defence (differences.md 8) when the injected bytes come in a separate write:
/// after the <c>220</c> (the server is then in the handshake, so the bytes are a malformed ClientHello and the
/// handshake fails), or straight after STARTTLS without waiting (same read or a later one, whichever the network
/// gives). The peer is trusted, so anything executed would be stored: the spool is checked, not only the replies.
/// </summary>
public class StartTlsInjectionTests
{
    private const string Transaction = "MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\nSubject: x\r\n\r\nsmuggled\r\n.\r\n";

    [Theory]
    [InlineData("RSET\r\n")]
    [InlineData(Transaction)]
    public async Task Plaintext_sent_after_the_220_fails_the_handshake_and_is_never_executed(string injected)
    {
        await using var relay = await AuthRelay.StartAsync(true, "--server-tls");
        using var c = await relay.ConnectAsync();
        await c.SendAsync("EHLO x\r\n");
        await c.ReadReplyAsync();
        await c.SendAsync("STARTTLS\r\n");
        Assert.Equal("220 ready to start tls", await c.ReadReplyAsync());
        await c.SendAsync(injected);
        string? next = await ReadOrNullAsync(c);
        Assert.True(next is null || !next.StartsWith('2') && !next.StartsWith('3') && !next.StartsWith('5'), next);
        Assert.Null(await ReadOrNullAsync(c));
        Assert.Empty(Directory.GetFiles(relay.Spool));
        await AssertStillServesAsync(relay);
    }

    [Theory]
    [InlineData("RSET\r\n")]
    [InlineData(Transaction)]
    public async Task Plaintext_in_a_second_write_straight_after_starttls_is_never_executed(string injected)
    {
        await using var relay = await AuthRelay.StartAsync(true, "--server-tls");
        for (int i = 0; i < 5; i++)
        {
            using var c = await relay.ConnectAsync();
            await c.SendAsync("EHLO x\r\n");
            await c.ReadReplyAsync();
            await c.SendAsync("STARTTLS\r\n");
            await c.SendAsync(injected);
            Assert.Equal("220 ready to start tls", await ReadOrNullAsync(c));
            string? next = await ReadOrNullAsync(c);
            Assert.True(next is null || !next.StartsWith('2') && !next.StartsWith('3') && !next.StartsWith('5'), next);
            Assert.Null(await ReadOrNullAsync(c));
        }

        Assert.Empty(Directory.GetFiles(relay.Spool));
        await AssertStillServesAsync(relay);
    }

    private static async Task<string?> ReadOrNullAsync(RawClient c)
    {
        try
        {
            return await c.ReadReplyAsync();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The relay is still up and stores a normal transaction (so the empty spool above means something).</summary>
    private static async Task AssertStillServesAsync(AuthRelay relay)
    {
        using var c = await relay.ConnectAsync();
        await c.SendAsync("EHLO x\r\n");
        await c.ReadReplyAsync();
        foreach (var (line, reply) in new[] { ("MAIL FROM:<a@b.c>\r\n", "250"), ("RCPT TO:<d@e.f>\r\n", "250"), ("DATA\r\n", "354"), ("Subject: y\r\n\r\nok\r\n.\r\n", "250") })
        {
            await c.SendAsync(line);
            Assert.StartsWith(reply, await c.ReadReplyAsync(), StringComparison.Ordinal);
        }

        Assert.Single(relay.Envelopes());
    }
}
