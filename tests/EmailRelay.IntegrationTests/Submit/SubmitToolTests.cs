using System.Text;
using EmailRelay.Testing;

namespace EmailRelay.IntegrationTests.Submit;

/// <summary><c>emailrelay-submit</c> (reference §j), run as a symlink to the relay executable.</summary>
public sealed class SubmitToolTests
{
    private const string Message = "From: Alice <alice@example.com>\nTo: bob@example.net, \"Carol, C\" <carol@example.net>\ncc: dave@example.net\nSubject: hi\n\nbody line\n";

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    private static string[] Envelopes(string spool) => [.. Directory.GetFiles(spool, "*.envelope").Order(StringComparer.Ordinal)];

    private static string EnvelopeText(string spool) => File.ReadAllText(Assert.Single(Envelopes(spool)));

    private static string ContentText(string spool) => File.ReadAllText(Assert.Single(Envelopes(spool))[..^".envelope".Length] + ".content");

    [Fact]
    public async Task Recipients_and_sender_come_from_the_headers_and_the_envelope_is_the_servers_format()
    {
        using var spool = new TestDirectory();
        var (code, _, err) = await SubmitRun.RunAsync("emailrelay-submit", Message, "--spool-dir", spool.Path);
        Assert.True(code == 0, err);
        var envelope = EnvelopeText(spool.Path);
        Assert.StartsWith("X-MailRelay-Format: #2821.8\r\nX-MailRelay-Content: unknown\r\nX-MailRelay-From: alice@example.com\r\nX-MailRelay-ToCount: 3\r\n" +
            "X-MailRelay-To-Remote: bob@example.net\r\nX-MailRelay-To-Remote: carol@example.net\r\nX-MailRelay-To-Remote: dave@example.net\r\n" +
            "X-MailRelay-Authentication: \r\nX-MailRelay-Client: 127.0.0.1\r\n", envelope, StringComparison.Ordinal);
        Assert.Equal(Message.Replace("\n", "\r\n", StringComparison.Ordinal), ContentText(spool.Path));
        Assert.Empty(Directory.GetFiles(spool.Path, "*.new"));
    }

    [Fact]
    public async Task Argument_and_to_recipients_override_the_headers_and_from_sets_the_sender()
    {
        using var spool = new TestDirectory();
        var (code, _, err) = await SubmitRun.RunAsync("emailrelay-submit", Message, "-s", spool.Path, "-f", "x@y", "--to", "p@q,r@s", "\\t@u");
        Assert.True(code == 0, err);
        var envelope = EnvelopeText(spool.Path);
        Assert.Contains("X-MailRelay-From: x@y\r\nX-MailRelay-ToCount: 3\r\nX-MailRelay-To-Remote: p@q\r\nX-MailRelay-To-Remote: r@s\r\nX-MailRelay-To-Remote: t@u\r\n", envelope, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbose_prints_the_content_path_and_filename_only_its_name()
    {
        using var spool = new TestDirectory();
        var (_, verbose, _) = await SubmitRun.RunAsync("emailrelay-submit", Message, "-v", "-s", spool.Path);
        var (_, name, _) = await SubmitRun.RunAsync("emailrelay-submit", Message, "-n", "-s", spool.Path);
        Assert.Matches("^" + System.Text.RegularExpressions.Regex.Escape(spool.Path) + "/emailrelay\\.[0-9]+\\.[0-9]+\\.[0-9]+\\.content\n$", verbose);
        Assert.Matches("^emailrelay\\.[0-9]+\\.[0-9]+\\.[0-9]+\\.content\n$", name);
        Assert.True(File.Exists(Path.Combine(spool.Path, name.Trim())));
    }

    [Fact]
    public async Task Input_file_and_auth_fields_are_used()
    {
        using var spool = new TestDirectory();
        var input = Path.Combine(spool.Path, "in.txt");
        await File.WriteAllTextAsync(input, Message);
        var (code, _, err) = await SubmitRun.RunAsync("emailrelay-submit", "", "-x", input, "-s", spool.Path, "-a", "alice", "-i", "in@x", "--from-auth-out", "out@x");
        Assert.True(code == 0, err);
        var envelope = EnvelopeText(spool.Path);
        Assert.Contains("X-MailRelay-Authentication: alice\r\n", envelope, StringComparison.Ordinal);
        Assert.Contains("X-MailRelay-MailFromAuthIn: in@x\r\nX-MailRelay-MailFromAuthOut: out@x\r\n", envelope, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Content_lines_in_base64_with_no_stdin_make_the_message()
    {
        using var spool = new TestDirectory();
        var (code, _, err) = await SubmitRun.RunAsync("emailrelay-submit", "ignored\n", "-N", "-s", spool.Path, "-C", B64("Subject: b64"), "-C", "=", "--content", B64("the body"), "a@b");
        Assert.True(code == 0, err);
        Assert.Equal("Subject: b64\r\n\r\nthe body\r\n", ContentText(spool.Path));
    }

    [Fact]
    public async Task Body_treats_the_input_as_body_after_the_content_headers()
    {
        using var spool = new TestDirectory();
        var (code, _, err) = await SubmitRun.RunAsync("emailrelay-submit", "Not: a header\n", "-B", "-s", spool.Path, "-C", B64("Subject: s"), "a@b");
        Assert.True(code == 0, err);
        Assert.Equal("Subject: s\r\n\r\nNot: a header\r\n", ContentText(spool.Path));
    }

    [Fact]
    public async Task Content_date_message_id_from_and_to_edit_the_headers()
    {
        using var spool = new TestDirectory();
        var (code, _, err) = await SubmitRun.RunAsync("emailrelay-submit", Message, "-d", "--content-message-id=example.org", "-F", "-t", "-f", "env@x", "-s", spool.Path, "r1@x", "r2@x");
        Assert.True(code == 0, err);
        var content = ContentText(spool.Path);
        Assert.Matches("\r\nDate: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [+-][0-9]{4}\r\n", content);
        Assert.Matches("\r\nMessage-ID: <[0-9]+\\.[0-9]+@example\\.org>\r\n", content);
        Assert.StartsWith("From: env@x\r\n", content, StringComparison.Ordinal);
        Assert.DoesNotContain("Alice", content, StringComparison.Ordinal);
        Assert.DoesNotContain("cc:", content, StringComparison.Ordinal);
        Assert.Contains("\r\nTo: r1@x, r2@x\r\n", content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Content_message_id_defaults_to_the_local_domain_and_keeps_an_existing_one()
    {
        using var spool = new TestDirectory();
        var (code, _, err) = await SubmitRun.RunAsync("emailrelay-submit", Message, "-I", "-s", spool.Path);
        Assert.True(code == 0, err);
        Assert.Matches("\r\nMessage-ID: <[0-9]+\\.[0-9]+@local>\r\n", ContentText(spool.Path));
        using var spool2 = new TestDirectory();
        await SubmitRun.RunAsync("emailrelay-submit", "Message-ID: <keep@x>\n" + Message, "-I", "-s", spool2.Path);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(ContentText(spool2.Path), "Message-ID:"));
    }

    [Fact]
    public async Task Content_from_without_a_sender_is_anonymous()
    {
        using var spool = new TestDirectory();
        var (code, _, err) = await SubmitRun.RunAsync("emailrelay-submit", "Subject: x\n\nb\n", "-F", "-s", spool.Path, "a@b");
        Assert.True(code == 0, err);
        Assert.StartsWith("From: anonymous:;\r\n", ContentText(spool.Path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bcc_split_makes_one_message_for_to_and_cc_and_one_per_bcc()
    {
        using var spool = new TestDirectory();
        var (code, _, err) = await SubmitRun.RunAsync("emailrelay-submit", "From: a@x\nTo: t@x\nBcc: b1@x, b2@x\n\nbody\n", "-b", "-s", spool.Path);
        Assert.True(code == 0, err);
        var envelopes = Envelopes(spool.Path).Select(File.ReadAllText).ToList();
        Assert.Equal(3, envelopes.Count);
        var contents = Envelopes(spool.Path).Select(e => File.ReadAllText(e[..^".envelope".Length] + ".content")).ToList();
        Assert.Contains("X-MailRelay-To-Remote: t@x\r\nX-MailRelay-Authentication", envelopes[0], StringComparison.Ordinal);
        Assert.DoesNotContain("Bcc", contents[0], StringComparison.Ordinal);
        Assert.Contains("X-MailRelay-ToCount: 1\r\nX-MailRelay-To-Remote: b1@x\r\n", envelopes[1], StringComparison.Ordinal);
        Assert.Contains("Bcc: b1@x\r\n", contents[1], StringComparison.Ordinal);
        Assert.DoesNotContain("b2@x", contents[1], StringComparison.Ordinal);
        Assert.Contains("X-MailRelay-To-Remote: b2@x\r\n", envelopes[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copy_puts_the_envelope_in_each_subdirectory_and_keeps_the_content()
    {
        using var spool = new TestDirectory();
        Directory.CreateDirectory(Path.Combine(spool.Path, "alice"));
        Directory.CreateDirectory(Path.Combine(spool.Path, "bob"));
        Directory.CreateDirectory(Path.Combine(spool.Path, "postmaster"));
        var (code, name, err) = await SubmitRun.RunAsync("emailrelay-submit", Message, "-c", "-n", "-s", spool.Path);
        Assert.True(code == 0, err);
        var id = name.Trim()[..^".content".Length];
        Assert.True(File.Exists(Path.Combine(spool.Path, "alice", id + ".envelope")));
        Assert.True(File.Exists(Path.Combine(spool.Path, "bob", id + ".envelope")));
        Assert.False(File.Exists(Path.Combine(spool.Path, "postmaster", id + ".envelope")));
        Assert.False(File.Exists(Path.Combine(spool.Path, id + ".envelope")));
        Assert.True(File.Exists(Path.Combine(spool.Path, id + ".content")));
    }

    [Fact]
    public async Task Help_version_and_errors()
    {
        var help = await SubmitRun.RunAsync("emailrelay-submit", "", "-h");
        Assert.Equal(0, help.Code);
        Assert.StartsWith("usage: emailrelay-submit [options] [<to-address> ...]", help.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("--bcc-split", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("--bcc-split", (await SubmitRun.RunAsync("emailrelay-submit", "", "-h", "-v")).Stdout, StringComparison.Ordinal);
        Assert.Equal("emailrelay-submit 2.6.1\n", (await SubmitRun.RunAsync("emailrelay-submit", "", "-V")).Stdout);
        using var spool = new TestDirectory();
        var none = await SubmitRun.RunAsync("emailrelay-submit", "Subject: x\n\nb\n", "-s", spool.Path);
        Assert.Equal(1, none.Code);
        Assert.Contains("no recipients", none.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, (await SubmitRun.RunAsync("emailrelay-submit", "", "--bogus")).Code);
    }

    [Fact]
    public async Task A_submitted_message_is_forwarded_by_a_running_relay()
    {
        await using var sink = await EmailRelay.Testing.Tools.SmtpSink.StartAsync();
        await using var relay = await Admin.AdminRelay.StartAsync("--forward-to", "127.0.0.1:" + sink.Port);
        var (code, _, err) = await SubmitRun.RunAsync("emailrelay-submit", Message, "-s", relay.Spool);
        Assert.True(code == 0, err);
        await using var admin = await Admin.AdminClient.ConnectAsync(relay.AdminPort);
        Assert.Equal("OK\r\n" + Admin.AdminClient.Prompt, await admin.CommandAsync("flush"));
        await sink.WaitForMessagesAsync(1, Waiting.DefaultTimeout);
        Assert.Empty(Envelopes(relay.Spool));
    }
}
