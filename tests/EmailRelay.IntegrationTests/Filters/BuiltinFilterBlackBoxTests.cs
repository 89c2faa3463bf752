using EmailRelay.Testing;

namespace EmailRelay.IntegrationTests.Filters;

/// <summary>
/// <c>deliver:</c> with <c>--delivery-dir</c>, <c>split:</c> and the <c>account:</c> verifier (reference §c) with the
/// built relay: real system accounts (root uid 0, daemon uid 1, nobody uid 65534) give the <c>To-Local</c> mailboxes.
/// </summary>
public sealed class BuiltinFilterBlackBoxTests
{
    private const string Domain = "relay.example.org";

    private static List<string> Files(string root) => [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
        .Where(f => !f.EndsWith(".lock", StringComparison.Ordinal))
        .Where(f => !Path.GetRelativePath(root, f).StartsWith(".pool/", StringComparison.Ordinal))
        .Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal)];

    private static string Without(string text, string id) => text.Replace(id, "ID", StringComparison.Ordinal);

    [Fact]
    public async Task Account_verifier_and_deliver_put_local_mail_in_mailboxes_and_maildirs_and_forward_the_rest()
    {
        using var spool = new TestDirectory();
        using var delivery = new TestDirectory();
        foreach (var sub in new[] { "tmp", "cur", "new" })
        {
            Directory.CreateDirectory(Path.Combine(delivery.Path, "daemon", sub));
        }

        var (relay, port) = await FilterRelay.StartAsync(spool.Path, "--domain", Domain, "--address-verifier", "account:0-1;lowercase;check",
            "--filter", "deliver:", "--delivery-dir", delivery.Path);
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            await smtp.SendAsync("EHLO client");

            // root and DAEMON are local accounts in range; the remote one is accepted by "check" and forwarded later.
            Assert.Equal("250 message processed", await smtp.SendMessageAsync("a@b.c", ["root@" + Domain, "DAEMON@" + Domain, "x@remote.example"], "mixed"));
            var envelope = Assert.Single(FilterRelay.Envelopes(spool.Path));
            var id = Path.GetFileName(envelope)[..^".envelope".Length];
            var text = File.ReadAllText(envelope);
            Assert.Contains("X-MailRelay-To-Local: root\r\nX-MailRelay-To-Local: daemon\r\nX-MailRelay-To-Remote: x@remote.example\r\n", text, StringComparison.Ordinal);
            Assert.Equal(["root/" + id + ".content", "root/" + id + ".envelope"], Files(delivery.Path).Where(f => f.StartsWith("root/", StringComparison.Ordinal)));
            var maildir = Assert.Single(Directory.GetFiles(Path.Combine(delivery.Path, "daemon", "new")));
            Assert.Equal(File.ReadAllText(Path.Combine(spool.Path, id + ".content")), File.ReadAllText(maildir));
            Assert.Empty(Directory.GetFiles(Path.Combine(delivery.Path, "daemon", "tmp")));

            // Local only: delivered, and the original is gone from the spool (abandoned, still 250).
            Assert.Equal("250 message processed", await smtp.SendMessageAsync("a@b.c", ["root@" + Domain], "local only"));
            Assert.Single(FilterRelay.Envelopes(spool.Path));
            Assert.Equal(4, Files(delivery.Path).Count(f => f.StartsWith("root/", StringComparison.Ordinal)));
            Assert.Single(Directory.GetFiles(Path.Combine(delivery.Path, "daemon", "new")));
        }
    }

    [Fact]
    public async Task Account_verifier_rejects_accounts_out_of_range_and_other_domains_and_answers_vrfy()
    {
        using var spool = new TestDirectory();
        var (relay, port) = await FilterRelay.StartAsync(spool.Path, "--domain", Domain, "--address-verifier", "account:0-1");
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            await smtp.SendAsync("EHLO client");
            Assert.StartsWith("250", await smtp.SendAsync("MAIL FROM:<a@b.c>"), StringComparison.Ordinal);
            Assert.Equal("250 recipient <root@" + Domain + ">  OK", await smtp.SendAsync("RCPT TO:<root@" + Domain + ">"));
            Assert.Equal("550 rejected", await smtp.SendAsync("RCPT TO:<nobody@" + Domain + ">"));
            Assert.Equal("550 rejected", await smtp.SendAsync("RCPT TO:<root@elsewhere.example>"));
            Assert.Equal("550 rejected", await smtp.SendAsync("RCPT TO:<no-such-account-here@" + Domain + ">"));
            Assert.Equal("250 recipient <postmaster>  OK", await smtp.SendAsync("RCPT TO:<postmaster>"));
            await relay.WaitForStderrAsync(l => l.Contains("rejecting recipient \"nobody@" + Domain + "\": rejected: account [nobody] has a uid outside 0-1", StringComparison.Ordinal), "the rejection log line");
            await smtp.SendAsync("RSET");
            Assert.Equal("250 root", await smtp.SendAsync("VRFY root@" + Domain));
        }
    }

    [Fact]
    public async Task Split_makes_one_message_per_domain_with_linked_content_forward_to_and_the_group_trailer()
    {
        using var spool = new TestDirectory();
        var (relay, port) = await FilterRelay.StartAsync(spool.Path, "--filter", "split:2525");
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            await smtp.SendAsync("EHLO client");
            Assert.Equal("250 message processed", await smtp.SendMessageAsync("a@b.c", ["x@one.example", "y@Two.Example", "z@ONE.example"], "split me"));
        }

        var envelopes = FilterRelay.Envelopes(spool.Path).Select(File.ReadAllText).ToArray();
        Assert.Equal(2, envelopes.Length);
        var one = Assert.Single(envelopes, e => e.Contains("X-MailRelay-ForwardTo: one.example:2525\r\n", StringComparison.Ordinal));
        var two = Assert.Single(envelopes, e => e.Contains("X-MailRelay-ForwardTo: Two.Example:2525\r\n", StringComparison.Ordinal)); // spelt as first seen (issue 23 C)
        Assert.Contains("X-MailRelay-ToCount: 2\r\nX-MailRelay-To-Remote: x@one.example\r\nX-MailRelay-To-Remote: z@ONE.example\r\n", one, StringComparison.Ordinal);
        Assert.Contains("X-MailRelay-ToCount: 1\r\nX-MailRelay-To-Remote: y@Two.Example\r\n", two, StringComparison.Ordinal);

        // Both envelopes end with the same group trailer naming both ids, the original's first.
        var ids = FilterRelay.Envelopes(spool.Path).Select(e => Path.GetFileName(e)[..^".envelope".Length]).ToArray();
        var trailer = one[one.IndexOf("X-MailRelay-End: 1\r\n", StringComparison.Ordinal)..];
        Assert.Equal(trailer, two[two.IndexOf("X-MailRelay-End: 1\r\n", StringComparison.Ordinal)..]);
        Assert.StartsWith("X-MailRelay-End: 1\r\nX-MailRelay-SplitGroupCount: 2\r\nX-MailRelay-SplitGroup: ", trailer, StringComparison.Ordinal);
        Assert.All(ids, id => Assert.Contains("X-MailRelay-SplitGroup: " + id + "\r\n", trailer, StringComparison.Ordinal));

        // The content is one file under two names: a change through one shows through the other.
        var contents = ids.Select(id => Path.Combine(spool.Path, id + ".content")).ToArray();
        Assert.Equal(File.ReadAllText(contents[0]), File.ReadAllText(contents[1]));
        File.AppendAllText(contents[0], "appended");
        Assert.EndsWith("appended", File.ReadAllText(contents[1]), StringComparison.Ordinal);
        Assert.Equal(4, Files(spool.Path).Count);
    }

    [Fact]
    public async Task Split_copies_are_removed_when_a_later_filter_rejects_the_message()
    {
        using var spool = new TestDirectory();
        var (relay, port) = await FilterRelay.StartAsync(spool.Path, "--filter", "split:,exit:1");
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            await smtp.SendAsync("EHLO client");
            var reply = await smtp.SendMessageAsync("a@b.c", ["x@one.example", "y@two.example", "z@three.example"], "split me");
            Assert.NotNull(reply);
            Assert.False(reply.StartsWith('2'), reply);
            Assert.Empty(FilterRelay.Envelopes(spool.Path));
            Assert.Empty(Files(spool.Path));
        }

        Assert.Empty(Files(spool.Path));
    }

    [Fact]
    public async Task A_bad_mailbox_name_from_a_verifier_program_fails_deliver_and_stores_nothing()
    {
        using var spool = new TestDirectory();
        using var delivery = new TestDirectory();
        var verifier = FilterRelay.Script(spool.Path, "verifier.sh", "#!/bin/sh\necho 'Full Name'\necho '../escape'\nexit 0\n");
        var (relay, port) = await FilterRelay.StartAsync(spool.Path, "--address-verifier", verifier, "--filter", "deliver:", "--delivery-dir", delivery.Path);
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            await smtp.SendAsync("EHLO client");
            Assert.Equal("452 error", await smtp.SendMessageAsync("a@b.c", ["someone@" + Domain], "escape"));
            await relay.WaitForStderrAsync(l => l.Contains("rejected by filter: [invalid mailbox name: [../escape]]", StringComparison.Ordinal), "the rejection log line");
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(delivery.Path));
        Assert.Empty(Directory.GetFiles(spool.Path, "emailrelay.*"));
        Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(delivery.Path)!, "escape")));
    }
}
