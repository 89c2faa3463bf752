using System.Text;
using EmailRelay.Auth;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Smtp.Client;
using EmailRelay.Smtp.Client;
using EmailRelay.Testing;

namespace EmailRelay.Core.Tests.Smtp.Client;

/// <summary>The driver gives the session the account selector's client secrets (reference §d "Client side").</summary>
public class SmtpClientConnectionAuthTests
{
    private static readonly OutgoingMessage s_message = new("a@x", ["b@y"], BodyType.SevenBit, false);
    private static readonly string s_alicePlain = Convert.ToBase64String("\0alice\0secret one"u8.ToArray());
    private static readonly string s_bobPlain = Convert.ToBase64String("\0bob\0secret two"u8.ToArray());

    private static Func<Stream> Content(string text) => () => new MemoryStream(Encoding.ASCII.GetBytes(text));

    private static FakeUpstream Upstream() => new(c =>
        c.StartsWith("EHLO", StringComparison.Ordinal) ? "250-fake\r\n250 AUTH PLAIN"
        : c == "AUTH PLAIN " + s_alicePlain || c == "AUTH PLAIN " + s_bobPlain ? "235 ok"
        : c.StartsWith("AUTH", StringComparison.Ordinal) ? "535 no"
        : null);

    private static SmtpClientOptions Options() => new()
    {
        Domain = "localhost",
        Secrets = SecretsParser.Parse("client plain alice secret+20one\nclient plain bob secret+20two sel2\nclient plain:b = = open\n", "test"),
    };

    [Theory]
    [InlineData("", "alice")]
    [InlineData("sel2", "bob")]
    public async Task The_selector_picks_the_client_line_and_mail_carries_auth(string selector, string id)
    {
        var upstream = Upstream();
        var logger = new RecordingLogger();
        await using var connection = new SmtpClientConnection(upstream.ClientStream, "127.0.0.1", Options(), TimeProvider.System, logger);
        Assert.Null(await connection.OpenAsync(CancellationToken.None));
        var outcome = await connection.SendAsync(s_message with { AccountSelector = selector }, Content("x\r\n"), CancellationToken.None);
        Assert.True(outcome.IsComplete, outcome.Reason);
        Assert.Equal("MAIL FROM:<a@x> AUTH=" + id, upstream.Commands.Single(c => c.StartsWith("MAIL", StringComparison.Ordinal)));
        Assert.True((await connection.SendAsync(s_message with { AccountSelector = selector }, Content("y\r\n"), CancellationToken.None)).IsComplete);
        Assert.Single(upstream.Commands, c => c.StartsWith("AUTH", StringComparison.Ordinal));
        var log = string.Join("\n", logger.Entries.Select(e => e.Message));
        Assert.Contains("tx>>: \"AUTH PLAIN [initial response not logged]\"", log, StringComparison.Ordinal);
        Assert.DoesNotContain(s_alicePlain, log, StringComparison.Ordinal);
        Assert.DoesNotContain(s_bobPlain, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_no_auth_selector_sends_without_auth()
    {
        var upstream = Upstream();
        await using var connection = new SmtpClientConnection(upstream.ClientStream, "127.0.0.1", Options(), TimeProvider.System, new RecordingLogger());
        Assert.Null(await connection.OpenAsync(CancellationToken.None));
        Assert.True((await connection.SendAsync(s_message with { AccountSelector = "open" }, Content("x\r\n"), CancellationToken.None)).IsComplete);
        Assert.DoesNotContain(upstream.Commands, c => c.StartsWith("AUTH", StringComparison.Ordinal));
        Assert.Contains("MAIL FROM:<a@x>", upstream.Commands);
    }

    [Fact]
    public async Task An_unknown_selector_fails_the_message_before_any_command()
    {
        var upstream = Upstream();
        await using var connection = new SmtpClientConnection(upstream.ClientStream, "127.0.0.1", Options(), TimeProvider.System, new RecordingLogger());
        Assert.Null(await connection.OpenAsync(CancellationToken.None));
        var outcome = await connection.SendAsync(s_message with { AccountSelector = "nobody" }, Content("x\r\n"), CancellationToken.None);
        Assert.Equal(SmtpClientConnection.InvalidSelector + ": [nobody]", outcome.Reason);
        Assert.False(outcome.Transient);
        Assert.Equal(["EHLO 127.0.0.1"], upstream.Commands);
        Assert.True(connection.IsUsable);
    }
}
