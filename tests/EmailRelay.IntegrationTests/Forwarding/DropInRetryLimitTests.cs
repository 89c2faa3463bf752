using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Forwarding;

/// <summary>
/// Issue 23 item 14 (differences 13): with <c>--retry-limit 0</c> a 4xx is E-MailRelay's: the message becomes
/// <c>.envelope.bad</c> on the first attempt, with the server's text and code as Reason and ReasonCode (reference
/// §j failure table), and is not tried again; without the option the same reply defers it as <c>.envelope</c>.
/// A RCPT's code is the RCPT's 4xx, not the RSET's 250 (differences 5).
/// </summary>
public sealed class DropInRetryLimitTests
{
    public static TheoryData<string, string, string, string, int> TemporaryFailures() => new()
    {
        // where, rcpt rule, data rule, mail rule, code; the reason is the server's text
        { "mail", "", "", "451 4.3.2 mail later", 451 },
        { "rcpt", "b@example.com=450 4.2.1 mailbox busy", "", "", 450 },
        { "data", "", "452 4.3.1 data later", "", 452 },
    };

    [Theory]
    [MemberData(nameof(TemporaryFailures))]
    public async Task Retry_limit_0_makes_a_4xx_bad_on_the_first_attempt_as_E_MailRelay_does(string where, string rcpt, string data, string mail, int code)
    {
        var (envelope, bad, stderr) = await RunOnceAsync(rcpt, data, mail, "--retry-limit", "0");
        Assert.True(envelope is null && bad is not null, where + ": " + stderr);
        var reason = where == "rcpt" ? "one or more recipients rejected" : (mail + data)[4..];
        Assert.Contains("X-MailRelay-Reason: " + reason + "\r\n", bad, StringComparison.Ordinal);
        Assert.Contains("X-MailRelay-ReasonCode: " + code.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\r\n", bad, StringComparison.Ordinal);
        Assert.Single(bad.Split("\r\n"), l => l.StartsWith("X-MailRelay-Reason: ", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TemporaryFailures))]
    public async Task Without_it_the_same_4xx_defers_the_message_instead(string where, string rcpt, string data, string mail, int code)
    {
        var (envelope, bad, stderr) = await RunOnceAsync(rcpt, data, mail);
        Assert.True(envelope is not null && bad is null, where + ": " + stderr);
        Assert.Contains("X-MailRelay-ReasonCode: " + code.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\r\n", envelope, StringComparison.Ordinal);
    }

    // One --as-client run against aiosmtpd with the rules; returns the texts of the .envelope and .envelope.bad left (null if none) and the log.
    private static async Task<(string? Envelope, string? Bad, string Stderr)> RunOnceAsync(string rcpt, string data, string mail, params string[] extra)
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var up = Directory.CreateDirectory(Path.Combine(dir.Path, "up")).FullName;
        await using var server = await ScriptedAiosmtpdServer.StartAsync(up);
        var rules = rcpt.Length == 0 ? null : rcpt.Split('|').Select(r => r.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        server.SetRules(rules, data.Length == 0 ? null : data, mail.Length == 0 ? null : mail);
        var id = await ForwardingTests.SeedAsync(spool, ForwardingTests.Content("hello\r\n"));

        var (exit, stderr) = await ForwardingTests.AsClientAsync(dir.Path, spool, "127.0.0.1:" + ForwardingTests.Port(server.Port), extra);
        Assert.True(exit == 0, stderr);
        Assert.Equal(0, server.MessageCount);
        var envelope = Path.Combine(spool, id + ".envelope");
        return (File.Exists(envelope) ? await File.ReadAllTextAsync(envelope) : null, File.Exists(envelope + ".bad") ? await File.ReadAllTextAsync(envelope + ".bad") : null, stderr);
    }
}
