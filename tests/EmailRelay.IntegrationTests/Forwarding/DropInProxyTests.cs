using System.Text.RegularExpressions;
using EmailRelay.IntegrationTests.Filters;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Forwarding;

/// <summary>
/// Issue 23 K and L through the built relay as a proxy (<c>--immediate</c>): a failing client filter answers
/// E-MailRelay's <c>452 rejected</c>, a failing routing filter <c>452 routing failed</c> (got before:
/// <c>550 exit:1</c>, <c>452 routing filter failed: rejected: exit:1</c>), and <c>-v -v</c> logs
/// <c>client-filter [NAME]: [ID]: running PATH</c> and <c>routing-filter [NAME]: [ID]: running PATH</c>.
/// Unlike E-MailRelay no <c>.envelope.bad</c> is kept: the client was told (differences 6).
/// </summary>
public sealed class DropInProxyTests
{
    private const string Failing = """
        #!/bin/sh
        exit 1
        """;

    [Fact]
    public async Task A_failing_client_filter_answers_452_rejected_and_logs_running_before_it_starts()
    {
        using var dir = new TestDirectory();
        var filter = FilterRelay.Script(dir.Path, "fail.sh", Failing);
        var (relay, port) = await FilterRelay.StartAsync(dir.Path, "--immediate", "--forward-to", "127.0.0.1:" + FreePort.Get(), "--client-filter", filter, "--verbose", "--verbose");
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            Assert.StartsWith("250", await smtp.SendAsync("EHLO client"), StringComparison.Ordinal);
            Assert.Equal("452 rejected", await smtp.SendMessageAsync("a@b.c", ["x@y.z"], "client filter"));
            var running = await relay.WaitForStderrAsync(l => l.Contains("running ", StringComparison.Ordinal), "the running line");
            Assert.Matches("client-filter \\[fail\\.sh\\]: \\[emailrelay\\.[0-9]+\\.[0-9]+\\.[0-9]+\\]: running " + Regex.Escape(filter) + "$", running);
            Assert.Empty(Directory.GetFiles(dir.Path, "emailrelay.*"));
        }
    }

    [Fact]
    public async Task A_failing_routing_filter_answers_452_routing_failed_and_is_logged_as_the_routing_filter()
    {
        using var dir = new TestDirectory();
        var filter = FilterRelay.Script(dir.Path, "fail.sh", Failing);
        var (relay, port) = await FilterRelay.StartAsync(dir.Path, "--immediate", "--forward-to", "127.0.0.1:" + FreePort.Get(), "--filter", "split:", "--client-filter", filter, "--verbose", "--verbose");
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            Assert.StartsWith("250", await smtp.SendAsync("EHLO client"), StringComparison.Ordinal);
            Assert.Equal("452 routing failed", await smtp.SendMessageAsync("a@b.c", ["x@y.z"], "routing filter"));
            var running = await relay.WaitForStderrAsync(l => l.Contains("running ", StringComparison.Ordinal), "the running line");
            Assert.Matches("routing-filter \\[fail\\.sh\\]: \\[emailrelay\\.[0-9]+\\.[0-9]+\\.[0-9]+\\]: running " + Regex.Escape(filter) + "$", running);
            var result = await relay.WaitForStderrAsync(l => l.Contains("-filter [", StringComparison.Ordinal) && l.Contains("response=[", StringComparison.Ordinal), "the filter's result line");
            Assert.Contains(": routing-filter [" + filter + "]: [emailrelay.", result, StringComparison.Ordinal);
            Assert.DoesNotContain("client-filter [routing-filter", string.Join("\n", relay.Stderr), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_unknown_forward_to_host_is_E_MailRelays_dns_error_and_the_message_stays()
    {
        // Issue 23 M: expected (E-MailRelay) error: dns error: no such host: "dummy..." (name or service not known);
        // got "error: connect failure: cannot connect to dummy...:25". The resolver here may say "temporary failure".
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var id = await ForwardingTests.SeedAsync(spool, ForwardingTests.Content("hello\r\n"));
        var (exit, stderr) = await ForwardingTests.AsClientAsync(dir.Path, spool, "dummy.invalid:25");
        Assert.Equal(1, exit);
        Assert.Contains("emailrelay: error: dns error: no such host: \"dummy.invalid\" (", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("connect failure", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(spool, id + ".envelope")), stderr);
    }
}
