using EmailRelay.Testing;

namespace EmailRelay.IntegrationTests.Filters;

/// <summary>
/// <c>spam:</c> and <c>spam-edit:</c> (reference §c "spamd") with the built relay against a real SpamAssassin spamd,
/// started once for the class: the GTUBE string is rejected by <c>spam:</c> and marked by <c>spam-edit:</c>, a
/// clean message passes both, and a spamd that is not there fails the message rather than passing it.
/// </summary>
public sealed class SpamFilterBlackBoxTests(SpamdServer spamd) : IClassFixture<SpamdServer>
{
    // A clean message with the headers a real client sends, so that SpamAssassin's header rules stay quiet.
    private const string CleanHeaders = "hello there\r\nDate: Tue, 24 Nov 2026 07:00:00 +0000\r\nMessage-ID: <clean.1@client.example>\r\nFrom: Alice <a@b.c>\r\nTo: <x@y.z>";

    private static async Task<(string? Reply, string[] Envelopes)> SendAsync(string filter, string subject, string body)
    {
        using var dir = new TestDirectory();
        var (relay, port) = await FilterRelay.StartAsync(dir.Path, "--filter", filter, "--filter-timeout", "60");
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            await smtp.SendAsync("HELO client");
            var reply = await smtp.SendMessageAsync("a@b.c", ["x@y.z"], subject, body);
            var envelopes = FilterRelay.Envelopes(dir.Path);
            var contents = envelopes.Select(e => File.ReadAllText(e.Replace(".envelope", ".content", StringComparison.Ordinal))).ToArray();
            if (reply is not null && !reply.StartsWith("250", StringComparison.Ordinal))
            {
                Assert.Empty(Directory.GetFiles(dir.Path, "emailrelay.*.content"));
                await relay.WaitForStderrAsync(l => l.Contains("rejected by filter: [", StringComparison.Ordinal), "the rejection log line");
            }

            return (reply, contents);
        }
    }

    [Fact]
    public void The_shipped_rules_are_used()
    {
        // Debian's spamassassin package ships its rules (with GTUBE) in /usr/share/spamassassin; the GTUBE-only
        // fallback is for systems without them.
        Assert.True(spamd.UsesShippedRules, spamd.Log);
    }

    [Fact]
    public async Task Spam_rejects_the_gtube_message_and_stores_nothing()
    {
        var (reply, contents) = await SendAsync("spam:127.0.0.1:" + spamd.Port, "gtube", SpamdServer.Gtube);
        Assert.Equal("452 spam", reply);
        Assert.Empty(contents);
    }

    [Fact]
    public async Task Spam_over_the_unix_socket_rejects_the_gtube_message_too()
    {
        var (reply, contents) = await SendAsync("spam:" + spamd.SocketPath, "gtube", SpamdServer.Gtube);
        Assert.Equal("452 spam", reply);
        Assert.Empty(contents);
    }

    [Fact]
    public async Task Spam_passes_a_clean_message_unchanged()
    {
        var (reply, contents) = await SendAsync("spam:127.0.0.1:" + spamd.Port, CleanHeaders, "Just a short note about lunch tomorrow.");
        Assert.Equal("250 message processed", reply);
        var content = Assert.Single(contents);
        Assert.DoesNotContain("X-Spam-", content, StringComparison.Ordinal);
        Assert.EndsWith("Just a short note about lunch tomorrow.\r\n", content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Spam_edit_marks_the_gtube_message_and_lets_it_through()
    {
        var (reply, contents) = await SendAsync("spam-edit:127.0.0.1:" + spamd.Port, "gtube", SpamdServer.Gtube);
        Assert.Equal("250 message processed", reply);
        var content = Assert.Single(contents);
        Assert.Contains("X-Spam-Flag: YES", content, StringComparison.Ordinal);
        Assert.Contains("X-Spam-Status: Yes", content, StringComparison.Ordinal);
        Assert.Contains("GTUBE", content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Spam_edit_marks_a_clean_message_as_not_spam_and_keeps_its_body()
    {
        var (reply, contents) = await SendAsync("spam-edit:" + spamd.SocketPath, CleanHeaders, "Just a short note about lunch tomorrow.");
        Assert.Equal("250 message processed", reply);
        var content = Assert.Single(contents);
        Assert.Contains("X-Spam-Status: No", content, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Spam-Flag: YES", content, StringComparison.Ordinal);
        Assert.Contains("Just a short note about lunch tomorrow.", content, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spam:")]
    [InlineData("spam-edit:")]
    public async Task A_spamd_that_is_not_there_fails_the_message_with_452_error(string kind)
    {
        using var dir = new TestDirectory();
        var (reply, contents) = await SendAsync(kind + Path.Combine(dir.Path, "no-spamd.sock"), "gtube", SpamdServer.Gtube);
        Assert.Equal("452 error", reply);
        Assert.Empty(contents);
    }
}
