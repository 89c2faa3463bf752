using EmailRelay.Testing;

namespace EmailRelay.IntegrationTests.Filters;

/// <summary>
/// Issue 23's filter and verifier items, each as E-MailRelay's expected line or reply against ours, through the built
/// relay: C (underscores in domains), D (a verifier's leading empty line), E (a filter that deletes the spool files).
/// </summary>
public sealed class DropInFilterTests
{
    [Fact]
    public async Task A_filter_that_deletes_the_spool_files_gets_452_rejected_and_the_session_goes_on()
    {
        using var dir = new TestDirectory();
        var script = FilterRelay.Script(dir.Path, "delete.sh", """
            #!/bin/sh
            case "`sed -n 's/^Subject: //p' "$1"`" in
              delete*) rm -f "$1" "$2" ;;
            esac
            exit 0
            """);
        var (relay, port) = await FilterRelay.StartAsync(dir.Path, "--filter", script);
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            Assert.StartsWith("250", await smtp.SendAsync("EHLO client"), StringComparison.Ordinal);
            Assert.Equal("452 rejected", await smtp.SendMessageAsync("a@b.c", ["x@y.z"], "delete me"));
            var line = await relay.WaitForStderrAsync(l => l.Contains("filter exception: ", StringComparison.Ordinal), "the filter exception line");
            Assert.Matches("filter exception: message store error: cannot rename envelope file .*emailrelay\\.[0-9]+\\.[0-9]+\\.[0-9]+\\.envelope\\.new", line);

            // The connection stays usable: the next message on it is stored.
            Assert.Equal("250 message processed", await smtp.SendMessageAsync("a@b.c", ["x@y.z"], "keep me"));
            Assert.Single(FilterRelay.Envelopes(dir.Path));
        }
    }

    [Fact]
    public async Task Underscores_in_domains_are_accepted_and_split_keeps_the_domains_case()
    {
        using var dir = new TestDirectory();
        var (relay, port) = await FilterRelay.StartAsync(dir.Path, "--filter", "split:");
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            Assert.StartsWith("250", await smtp.SendAsync("EHLO client"), StringComparison.Ordinal);

            // Expected (E-MailRelay) 250; got "550 invalid character in mailbox name" before.
            Assert.Equal("250 message processed", await smtp.SendMessageAsync("a@b.c", ["OK.alice@Domain_one.com", "OK.bob@domain_one.COM", "carol@Other_Two.org"], "split"));
            var forwardTo = FilterRelay.Envelopes(dir.Path).Select(File.ReadAllLines)
                .Select(lines => lines.Single(l => l.StartsWith("X-MailRelay-ForwardTo: ", StringComparison.Ordinal))["X-MailRelay-ForwardTo: ".Length..])
                .Order(StringComparer.Ordinal);
            Assert.Equal(["Domain_one.com", "Other_Two.org"], forwardTo);
        }
    }

    [Fact]
    public async Task A_rejected_recipient_is_logged_with_its_name_never_empty()
    {
        using var dir = new TestDirectory();
        var (relay, port) = await FilterRelay.StartAsync(dir.Path);
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            Assert.StartsWith("250", await smtp.SendAsync("EHLO client"), StringComparison.Ordinal);
            Assert.StartsWith("250", await smtp.SendAsync("MAIL FROM:<a@b.c>"), StringComparison.Ordinal);
            Assert.Equal("550 invalid character in mailbox name", await smtp.SendAsync("RCPT TO:<bad(x)@y.z>"));
            await relay.WaitForStderrAsync(l => l.Contains("rejecting recipient \"bad(x)@y.z\": invalid character in mailbox name", StringComparison.Ordinal), "the rejection warning with the name");
        }
    }

    [Fact]
    public async Task A_verifier_leading_empty_line_is_kept_so_its_second_line_is_the_remote_address()
    {
        using var dir = new TestDirectory();
        var verifier = FilterRelay.Script(dir.Path, "verifier.sh", """
            #!/bin/sh
            echo ""
            echo "alice@here"
            exit 1
            """);
        var (relay, port) = await FilterRelay.StartAsync(dir.Path, "--address-verifier", verifier, "--debug");
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            Assert.StartsWith("250", await smtp.SendAsync("EHLO client"), StringComparison.Ordinal);
            Assert.StartsWith("250", await smtp.SendAsync("MAIL FROM:<a@b.c>"), StringComparison.Ordinal);

            // Expected (E-MailRelay) "250 recipient <OK.A@here> OK"; got "550 alice@here".
            Assert.Equal("250 recipient <OK.A@here> OK", await smtp.SendAsync("RCPT TO:<OK.A@here>"));
            await relay.WaitForStderrAsync(l => l.EndsWith("exit code 1: [] [alice@here]", StringComparison.Ordinal), "the verifier's debug line");
        }
    }
}
