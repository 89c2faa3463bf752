using System.Text;
using EmailRelay.Testing;

namespace EmailRelay.IntegrationTests.Smtp;

/// <summary>
/// SMTP smuggling (differences 7): only <c>&lt;CRLF&gt;.&lt;CRLF&gt;</c> ends the data, so a second transaction
/// hidden behind a bare-CR/LF "end of data" is stored as content of the first, never run as commands.
/// </summary>
public sealed class ServerSmugglingTests(SmugglingRelays relays) : IClassFixture<SmugglingRelays>
{
    private const string Smuggled = "MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n";

    public static TheoryData<string> Separators => new() { "\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\r\n.\r" };

    private static string Data(string separator) => "Subject: smuggling\r\n\r\nhello" + separator + Smuggled;

    /// <summary>A sender address unique to the separator, so tests sharing a relay find their own message.</summary>
    private static string Sender(string separator) => "s" + string.Concat(separator.Select(ch => ch switch { '\r' => "cr", '\n' => "lf", _ => "dot" })) + "@example.com";

    /// <summary>The one committed message from <paramref name="sender"/>.</summary>
    private static async Task<(byte[] Content, byte[] Envelope)> MessageFromAsync(StoringRelay relay, string sender)
    {
        bool Mine((string Id, byte[] Content, byte[] Envelope) m) => Encoding.ASCII.GetString(m.Envelope).Contains("X-MailRelay-From: " + sender + "\r\n", StringComparison.Ordinal);
        await Waiting.UntilAsync(() => relay.Messages().Any(Mine), "the message from " + sender);
        var (_, content, envelope) = Assert.Single(relay.Messages(), Mine);
        return (content, envelope);
    }

    /// <summary>Runs one transaction whose data is <paramref name="data"/> then the real end; returns the end-of-data reply and the reply to a following QUIT.</summary>
    private static async Task<(string EndOfData, string Quit)> SendAsync(int port, string data, string sender = "alice@example.com")
    {
        var (client, _) = await RawSmtp.ConnectAsync(port);
        await using var c = client;
        Assert.StartsWith("250-", await client.CommandAsync("EHLO smuggler.example"), StringComparison.Ordinal);
        Assert.Equal("250 sender <" + sender + "> OK", await client.CommandAsync("MAIL FROM:<" + sender + ">"));
        Assert.Equal("250 recipient <bob@example.net> OK", await client.CommandAsync("RCPT TO:<bob@example.net>"));
        Assert.StartsWith("354 ", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        await client.SendAsync(Encoding.Latin1.GetBytes(data + ".\r\n"));
        var endOfData = await client.ReadReplyAsync();
        return (endOfData, await client.CommandAsync("QUIT"));
    }

    [Theory]
    [MemberData(nameof(Separators))]
    public async Task Server_smtp_smuggled_transaction_after_a_bare_line_ending_dot_is_stored_as_content_normalised(string separator)
    {
        var relay = relays.Normalise;

        var (endOfData, quit) = await SendAsync(relay.Port, Data(separator), Sender(separator));

        // One reply for the one message; the smuggled MAIL/RCPT/DATA were never answered as commands.
        Assert.Equal("250 message processed", endOfData);
        Assert.Equal("221 OK", quit);
        var (content, envelope) = await MessageFromAsync(relay, Sender(separator));
        var stored = Encoding.Latin1.GetString(Expected.AfterReceived(content, "smuggler.example", "relay.example.org"));
        Assert.Equal(Expected.NormaliseLineEndings(Data(separator)), stored);
        Assert.Contains(Smuggled, stored, StringComparison.Ordinal);
        Assert.Equal(Expected.Envelope(Sender(separator), ["bob@example.net"]), Encoding.UTF8.GetString(envelope));
    }

    [Theory]
    [MemberData(nameof(Separators))]
    public async Task Server_smtp_smuggling_with_bare_newline_reject_gets_550_and_stores_nothing(string separator)
    {
        var relay = relays.Reject;

        var (endOfData, quit) = await SendAsync(relay.Port, Data(separator), Sender(separator));

        Assert.Equal("550 5.5.2 bare CR or LF not allowed", endOfData);
        Assert.Equal("221 OK", quit);
        await Waiting.UntilAsync(() => relay.Files().Length == 0, "no spool files; have: " + string.Join(",", relay.Files()));
    }

    [Theory]
    [MemberData(nameof(Separators))]
    public async Task Server_smtp_smuggling_with_bare_newline_keep_stores_the_bytes_as_received(string separator)
    {
        var relay = relays.Keep;

        var (endOfData, quit) = await SendAsync(relay.Port, Data(separator), Sender(separator));

        Assert.Equal("250 message processed", endOfData);
        Assert.Equal("221 OK", quit);
        var (content, _) = await MessageFromAsync(relay, Sender(separator));
        Assert.Equal(Data(separator), Encoding.Latin1.GetString(Expected.AfterReceived(content, "smuggler.example", "relay.example.org")));
    }

    [Fact]
    public async Task Server_smtp_bare_newline_reject_accepts_a_clean_message_afterwards_in_the_same_session()
    {
        await using var relay = await StoringRelay.StartAsync("--server-smtp-config", "bare-newline-reject");
        var (client, _) = await RawSmtp.ConnectAsync(relay.Port);
        await using var c = client;
        await client.CommandAsync("EHLO c.example");
        await client.CommandAsync("MAIL FROM:<a@example.com>");
        await client.CommandAsync("RCPT TO:<b@example.net>");
        await client.CommandAsync("DATA");
        Assert.Equal("550 5.5.2 bare CR or LF not allowed", await client.CommandAsync("x\ny\r\n."));
        Assert.Equal("250 sender <a@example.com> OK", await client.CommandAsync("MAIL FROM:<a@example.com>"));
        Assert.Equal("250 recipient <b@example.net> OK", await client.CommandAsync("RCPT TO:<b@example.net>"));
        await client.CommandAsync("DATA");
        Assert.Equal("250 message processed", await client.CommandAsync("clean\r\n."));
        Assert.Single(relay.Messages());
    }
}
