using System.Text;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MimeKit.Text;

namespace EmailRelay.IntegrationTests.Smtp;

/// <summary>
/// The storing server (reference §b, §g) against SMTP clients we did not write: MailKit, Python smtplib and
/// swaks. The stored content must be the Received line then exactly the bytes sent (un-dot-stuffed), and the
/// envelope exactly the reference's layout.
/// </summary>
public sealed class ServerClientsTests
{
    private const string Domain = "relay.example.org";

    private static async Task<byte[]> SendWithMailKitAsync(int port, MimeMessage message, MailKit.IProtocolLogger? logger = null)
    {
        using var client = logger is null ? new SmtpClient() : new SmtpClient(logger);
        client.LocalDomain = "mailkit.example";
        client.Timeout = 20000;
        await client.ConnectAsync(FreePort.Host, port, SecureSocketOptions.None);
        await client.SendAsync(message);
        await client.DisconnectAsync(true);

        // What MailKit wrote is the (now prepared) message in CRLF form, international when SMTPUTF8 was used.
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        options.International = client.Capabilities.HasFlag(SmtpCapabilities.UTF8);
        options.HiddenHeaders.Add(HeaderId.ContentLength);
        options.HiddenHeaders.Add(HeaderId.ResentBcc);
        options.HiddenHeaders.Add(HeaderId.Bcc);
        using var stream = new MemoryStream();
        await message.WriteToAsync(options, stream);
        return stream.ToArray();
    }

    /// <summary>The data lines swaks sent (its transcript's " -> " lines after the 354, up to the lone dot), as on the wire.</summary>
    private static List<string> SwaksDataLines(string transcript)
    {
        var lines = transcript.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var start = lines.FindIndex(l => l.StartsWith("<-  354 ", StringComparison.Ordinal));
        Assert.True(start >= 0, transcript);
        var data = new List<string>();
        foreach (var line in lines.Skip(start + 1).Where(l => l.StartsWith(" -> ", StringComparison.Ordinal)).Select(l => l[4..]))
        {
            if (line == ".")
            {
                return data;
            }

            data.Add(line);
        }

        throw new InvalidDataException("no end of data in: " + transcript);
    }

    [Fact]
    public async Task Server_smtp_submit_with_mailkit_stores_the_exact_bytes_and_the_reference_envelope()
    {
        await using var relay = await StoringRelay.StartAsync("--domain", Domain);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("alice@example.com"));
        message.To.Add(MailboxAddress.Parse("bob@example.net"));
        message.Cc.Add(MailboxAddress.Parse("carol@example.net"));
        message.Subject = "mailkit two recipients";
        message.Body = new TextPart(TextFormat.Plain) { Text = "first line\r\n.leading dot\r\n..two dots\r\n.\r\nlast line\r\n" };

        var sent = await SendWithMailKitAsync(relay.Port, message);

        var (_, content, envelope) = await relay.SingleMessageAsync();
        Assert.Equal(sent, Expected.AfterReceived(content, "mailkit.example", Domain));
        Assert.Equal(Expected.Envelope("alice@example.com", ["bob@example.net", "carol@example.net"]), Encoding.UTF8.GetString(envelope));
    }

    [Fact]
    public async Task Server_smtp_submit_with_mailkit_8bit_body_uses_body_8bitmime_and_stores_content_8bit()
    {
        await using var relay = await StoringRelay.StartAsync("--domain", Domain);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("alice@example.com"));
        message.To.Add(MailboxAddress.Parse("bob@example.net"));
        message.Subject = "eight bit";
        var body = new TextPart(TextFormat.Plain) { ContentTransferEncoding = ContentEncoding.EightBit };
        body.SetText(Encoding.UTF8, "café crème, naïve façade\r\n");
        message.Body = body;

        var sent = await SendWithMailKitAsync(relay.Port, message);

        var (_, content, envelope) = await relay.SingleMessageAsync();
        Assert.Contains((byte)0xC3, sent);
        Assert.Equal(sent, Expected.AfterReceived(content, "mailkit.example", Domain));
        Assert.Equal(Expected.Envelope("alice@example.com", ["bob@example.net"], content: "8bit"), Encoding.UTF8.GetString(envelope));
    }

    [Fact]
    public async Task Server_smtp_submit_with_mailkit_smtputf8_stores_utf8_mailboxes()
    {
        await using var relay = await StoringRelay.StartAsync("--domain", Domain, "--server-smtp-config", "smtputf8");
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("jösé@example.com"));
        message.To.Add(MailboxAddress.Parse("zoë@example.net"));
        message.Subject = "utf8 mailboxes";
        var body = new TextPart(TextFormat.Plain) { ContentTransferEncoding = ContentEncoding.EightBit };
        body.SetText(Encoding.UTF8, "grüße\r\n");
        message.Body = body;

        var sent = await SendWithMailKitAsync(relay.Port, message);

        var (_, content, envelope) = await relay.SingleMessageAsync();
        Assert.Equal(sent, Expected.AfterReceived(content, "mailkit.example", Domain));
        Assert.Equal(Expected.Envelope("jösé@example.com", ["zoë@example.net"], content: "8bit", utf8: true), Encoding.UTF8.GetString(envelope));
    }

    [Fact]
    public async Task Server_smtp_submit_with_mailkit_over_bdat_when_chunking_is_advertised_stores_the_exact_bytes()
    {
        await using var relay = await StoringRelay.StartAsync("--domain", Domain, "--server-smtp-config", "chunking");
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("alice@example.com"));
        message.To.Add(MailboxAddress.Parse("bob@example.net"));
        message.To.Add(MailboxAddress.Parse("carol@example.net"));
        message.Subject = "mailkit bdat";

        // MailKit uses BDAT (with BODY=BINARYMIME) for binary content: every byte value, bare CR/LF and ".\r\n" included.
        var bytes = Enumerable.Range(0, 20000).Select(i => (byte)(i * 7 % 256)).Concat("\r\n.\r\n"u8.ToArray()).ToArray();
        message.Body = new MimePart("application", "octet-stream")
        {
            Content = new MimeContent(new MemoryStream(bytes)),
            ContentTransferEncoding = ContentEncoding.Binary,
        };
        using var log = new MemoryStream();

        var sent = await SendWithMailKitAsync(relay.Port, message, new MailKit.ProtocolLogger(log, leaveOpen: true));

        var transcript = Encoding.ASCII.GetString(log.ToArray());
        Assert.True(transcript.Contains("BDAT ", StringComparison.Ordinal), transcript[..Math.Min(transcript.Length, 1500)]);
        var (_, content, envelope) = await relay.SingleMessageAsync();
        Assert.Equal(sent, Expected.AfterReceived(content, "mailkit.example", Domain));
        Assert.Equal(Expected.Envelope("alice@example.com", ["bob@example.net", "carol@example.net"], content: "binarymime"), Encoding.UTF8.GetString(envelope));
    }

    [Fact]
    public async Task Server_smtp_submit_with_python_smtplib_writes_the_reference_envelope_byte_for_byte()
    {
        // The reference's "real envelope" (§b) was made by smtplib sending to two recipients.
        const string reference =
            "X-MailRelay-Format: #2821.8\r\nX-MailRelay-Content: unknown\r\nX-MailRelay-From: alice@example.com\r\n" +
            "X-MailRelay-ToCount: 2\r\nX-MailRelay-To-Remote: bob@example.net\r\nX-MailRelay-To-Remote: carol@example.net\r\n" +
            "X-MailRelay-Authentication: \r\nX-MailRelay-Client: 127.0.0.1\r\nX-MailRelay-ClientCertificate: \r\n" +
            "X-MailRelay-MailFromAuthIn: \r\nX-MailRelay-MailFromAuthOut: \r\nX-MailRelay-ForwardTo: \r\n" +
            "X-MailRelay-ForwardToAddress: \r\nX-MailRelay-ClientAccountSelector: \r\nX-MailRelay-Utf8MailboxNames: 0\r\n" +
            "X-MailRelay-End: 1\r\n";
        await using var relay = await StoringRelay.StartAsync("--domain", Domain);
        const string body = "line one\r\n.x\r\n..y\r\nlast";

        var result = await PythonSmtp.SendAsync(relay.Port, "alice@example.com", "bob@example.net,carol@example.net", body);

        Assert.True(result.ExitCode == 0, result.Output);
        var (_, content, envelope) = await relay.SingleMessageAsync();
        Assert.Equal(reference, Encoding.UTF8.GetString(envelope));
        var expected = "From: <alice@example.com>\r\nTo: <bob@example.net>\r\nSubject: python smtplib\r\n\r\n" + body + "\r\n";
        Assert.Equal(expected, Encoding.UTF8.GetString(Expected.AfterReceived(content, "python.localdomain", Domain)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Server_smtp_submit_with_swaks_stores_the_data_with_dot_stuffed_lines_restored(bool pipeline)
    {
        await using var relay = await StoringRelay.StartAsync("--domain", Domain);
        // swaks dot-stuffs: ".x" goes on the wire as "..x" and must be stored as ".x" again.
        const string data = "Subject: swaks%NEWLINE%%NEWLINE%first%NEWLINE%.x%NEWLINE%..y%NEWLINE%last%NEWLINE%";

        var result = await Swaks.SendAsync(relay.Port, "alice@example.com", "bob@example.net,carol@example.net", data: data, pipeline: pipeline);

        Assert.True(result.ExitCode == 0, result.Output);
        if (pipeline)
        {
            // The whole MAIL/RCPT/DATA batch went out before the first reply came back.
            Assert.True(
                result.Output.IndexOf(" -> DATA", StringComparison.Ordinal) < result.Output.IndexOf("<-  250 sender", StringComparison.Ordinal),
                result.Output);
        }

        var sent = SwaksDataLines(result.Output);
        Assert.Contains("..x", sent);
        Assert.Contains("...y", sent);
        var expected = string.Concat(sent.Select(l => (l.StartsWith('.') ? l[1..] : l) + "\r\n"));
        var (_, content, envelope) = await relay.SingleMessageAsync();
        Assert.StartsWith("Subject: swaks\r\n\r\nfirst\r\n.x\r\n..y\r\nlast\r\n", expected, StringComparison.Ordinal);
        Assert.Equal(expected, Encoding.UTF8.GetString(Expected.AfterReceived(content, "swaks.localdomain", Domain)));
        Assert.Equal(Expected.Envelope("alice@example.com", ["bob@example.net", "carol@example.net"]), Encoding.UTF8.GetString(envelope));
    }

    [Fact]
    public async Task Server_smtp_size_limit_gives_552_after_the_data_and_leaves_no_files()
    {
        await using var relay = await StoringRelay.StartAsync("--size", "2000");
        var big = string.Join("%NEWLINE%", Enumerable.Repeat(new string('z', 70), 60));

        var result = await Swaks.SendAsync(relay.Port, "alice@example.com", "bob@example.net", body: big);

        Assert.Contains("<** 552 message size exceeds fixed maximum message size", result.Output, StringComparison.Ordinal);
        Assert.Contains("<-  354 ", result.Output, StringComparison.Ordinal);
        await Waiting.UntilAsync(() => relay.Files().Length == 0, "no spool files after the 552; have: " + string.Join(",", relay.Files()));

        var small = await Swaks.SendAsync(relay.Port, "alice@example.com", "bob@example.net", body: "small");
        Assert.True(small.ExitCode == 0, small.Output);
        Assert.Contains("<-  250-SIZE 2000", small.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_smtp_anonymous_greeting_is_220_greeting()
    {
        await using var relay = await StoringRelay.StartAsync("--anonymous", "--domain", Domain);
        var (client, greeting) = await RawSmtp.ConnectAsync(relay.Port);
        await using var _ = client;
        Assert.Equal("220 greeting", greeting);
        Assert.Equal("250-smtp says hello\n250-PIPELINING\n250 8BITMIME", await client.CommandAsync("EHLO c.example"));
        Assert.Equal("252 cannot vrfy", await client.CommandAsync("VRFY x"));
    }

    [Fact]
    public async Task Server_smtp_domain_is_in_the_greeting_and_ehlo_and_vrfy_help_expn_replies_are_the_references()
    {
        await using var relay = await StoringRelay.StartAsync("--domain", Domain);
        var (client, greeting) = await RawSmtp.ConnectAsync(relay.Port);
        await using var _ = client;
        Assert.Equal("220 relay.example.org -- E-MailRelay V2.6.1 -- Service ready", greeting);
        Assert.Equal("250-relay.example.org says hello\n250-VRFY\n250-PIPELINING\n250 8BITMIME", await client.CommandAsync("EHLO c.example"));
        Assert.Equal("252 cannot verify but will accept: x", await client.CommandAsync("VRFY x"));
        Assert.Equal("502 command not implemented", await client.CommandAsync("HELP"));
        Assert.Equal("502 command not implemented", await client.CommandAsync("EXPN x"));
        Assert.Equal("250 noop", await client.CommandAsync("NOOP"));
        Assert.Equal("221 OK", await client.CommandAsync("QUIT"));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Server_smtp_bdat_with_chunking_stores_the_chunks_raw()
    {
        await using var relay = await StoringRelay.StartAsync("--domain", Domain, "--server-smtp-config", "chunking");
        var (client, _) = await RawSmtp.ConnectAsync(relay.Port);
        await using var c = client;
        Assert.Equal(
            "250-relay.example.org says hello\n250-VRFY\n250-CHUNKING\n250-BINARYMIME\n250-PIPELINING\n250 8BITMIME",
            await client.CommandAsync("EHLO bdat.example"));
        Assert.Equal("250 sender <alice@example.com> OK", await client.CommandAsync("MAIL FROM:<alice@example.com> BODY=BINARYMIME"));
        Assert.Equal("250 recipient <bob@example.net> OK", await client.CommandAsync("RCPT TO:<bob@example.net>"));
        Assert.Equal("503 invalid data command with binarymime -- use RSET to resynchronise", await client.CommandAsync("DATA"));
        const string chunk1 = "Subject: b\r\n\r\n.do\r\n"; // 19 bytes, a leading dot stays: chunks are raw
        const string chunk2 = "\0bin\r\n";
        Assert.Equal(19, chunk1.Length);
        await client.SendAsync("BDAT 19\r\n" + chunk1);
        Assert.Equal("250 19 bytes received", await client.ReadReplyAsync());
        await client.SendAsync("BDAT 6 LAST\r\n" + chunk2);
        Assert.Equal("250 message processed", await client.ReadReplyAsync());
        Assert.Equal("221 OK", await client.CommandAsync("QUIT"));

        var (_, content, envelope) = await relay.SingleMessageAsync();
        Assert.Equal(chunk1 + chunk2, Encoding.Latin1.GetString(Expected.AfterReceived(content, "bdat.example", Domain)));
        Assert.Equal(Expected.Envelope("alice@example.com", ["bob@example.net"], content: "binarymime"), Encoding.UTF8.GetString(envelope));
    }

    [Fact]
    public async Task Server_smtp_whole_transaction_in_one_write_with_pipelined_quit_is_stored()
    {
        await using var relay = await StoringRelay.StartAsync("--domain", Domain);
        var (client, _) = await RawSmtp.ConnectAsync(relay.Port);
        await using var c = client;

        await client.SendAsync("EHLO batch.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.net>\r\nRCPT TO:<carol@example.net>\r\nDATA\r\nSubject: batch\r\n\r\nbody\r\n.\r\nQUIT\r\n");

        Assert.StartsWith("250-relay.example.org says hello", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.Equal("250 sender <alice@example.com> OK", await client.ReadReplyAsync());
        Assert.Equal("250 recipient <bob@example.net> OK", await client.ReadReplyAsync());
        Assert.Equal("250 recipient <carol@example.net> OK", await client.ReadReplyAsync());
        Assert.Equal("354 start mail input -- end with <CRLF>.<CRLF>", await client.ReadReplyAsync());
        Assert.Equal("250 message processed", await client.ReadReplyAsync());
        Assert.Equal("221 OK", await client.ReadReplyAsync());
        Assert.True(await client.IsClosedByServerAsync());
        var (_, content, envelope) = await relay.SingleMessageAsync();
        Assert.Equal("Subject: batch\r\n\r\nbody\r\n", Encoding.ASCII.GetString(Expected.AfterReceived(content, "batch.example", Domain)));
        Assert.Equal(Expected.Envelope("alice@example.com", ["bob@example.net", "carol@example.net"]), Encoding.UTF8.GetString(envelope));
    }

    [Fact]
    public async Task Server_smtp_size_limit_applies_to_bdat_chunks_and_leaves_no_files()
    {
        await using var relay = await StoringRelay.StartAsync("--size", "300", "--server-smtp-config", "chunking");
        var (client, _) = await RawSmtp.ConnectAsync(relay.Port);
        await using var c = client;
        await client.CommandAsync("EHLO bdat.example");
        Assert.Equal("552 message size exceeds fixed maximum message size", await client.CommandAsync("MAIL FROM:<alice@example.com> SIZE=301"));
        Assert.Equal("250 sender <alice@example.com> OK", await client.CommandAsync("MAIL FROM:<alice@example.com>"));
        Assert.Equal("250 recipient <bob@example.net> OK", await client.CommandAsync("RCPT TO:<bob@example.net>"));
        await client.SendAsync("BDAT 200\r\n" + new string('x', 200));
        Assert.Equal("250 200 bytes received", await client.ReadReplyAsync());
        await client.SendAsync("BDAT 200 LAST\r\n" + new string('y', 200));
        Assert.Equal("552 message size exceeds fixed maximum message size", await client.ReadReplyAsync());
        await Waiting.UntilAsync(() => relay.Files().Length == 0, "no spool files after the 552; have: " + string.Join(",", relay.Files()));
        Assert.Equal("221 OK", await client.CommandAsync("QUIT"));
    }
}
