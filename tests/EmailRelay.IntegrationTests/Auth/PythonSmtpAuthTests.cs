using System.Globalization;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Auth;

/// <summary>
/// Python's smtplib (Debian's <c>/usr/bin/python3</c>, independent of this project) authenticating over STARTTLS
/// with each mechanism it implements, forced one at a time with <c>SMTP.auth</c>, and with a wrong password.
/// </summary>
public class PythonSmtpAuthTests
{
    private const string Script = """
        import smtplib, ssl, sys
        port, mech, user, password, initial = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1"
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        try:
            with smtplib.SMTP("127.0.0.1", port, local_hostname="python.localdomain", timeout=30) as s:
                s.ehlo()
                print("before-tls auth=[%s]" % s.esmtp_features.get("auth", "").strip())
                s.starttls(context=ctx)
                s.ehlo()
                print("after-tls auth=[%s]" % s.esmtp_features.get("auth", "").strip())
                s.user, s.password = user, password
                method = {"PLAIN": s.auth_plain, "LOGIN": s.auth_login, "CRAM-MD5": s.auth_cram_md5}[mech]
                code, text = s.auth(mech, method, initial_response_ok=initial)
                print("auth %d %s" % (code, text.decode()))
                s.sendmail("a@example.com", ["b@example.com"], b"Subject: smtplib\r\n\r\nhello\r\n")
                print("sent")
        except smtplib.SMTPAuthenticationError as e:
            print("auth-failed %d %s" % (e.smtp_code, e.smtp_error.decode()))
            sys.exit(1)
        """;

    [Theory]
    [InlineData("PLAIN", true)]
    [InlineData("PLAIN", false)]
    [InlineData("LOGIN", true)]
    [InlineData("LOGIN", false)]
    [InlineData("CRAM-MD5", false)]
    public async Task Smtplib_authenticates_over_starttls_and_the_message_is_stored_with_the_id(string mechanism, bool initialResponse)
    {
        await using var relay = await AuthRelay.StartAsync("--server-tls");
        var (code, output) = await RunAsync(relay.Port, mechanism, "alice", "my secret", initialResponse);
        Assert.True(code == 0, output + relay.Process.StderrText);
        Assert.Contains("after-tls auth=[CRAM-SHA512 CRAM-SHA256 CRAM-SHA1 CRAM-MD5 PLAIN LOGIN]", output, StringComparison.Ordinal);
        Assert.Contains("auth 235 authentication successful", output, StringComparison.Ordinal);
        Assert.Contains("sent", output, StringComparison.Ordinal);
        Assert.Contains("X-MailRelay-Authentication: alice\r\n", await File.ReadAllTextAsync(Assert.Single(relay.Envelopes())), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("LOGIN")]
    [InlineData("CRAM-MD5")]
    public async Task Smtplib_with_a_wrong_password_gets_535_and_nothing_is_stored(string mechanism)
    {
        await using var relay = await AuthRelay.StartAsync("--server-tls");
        var (code, output) = await RunAsync(relay.Port, mechanism, "alice", "not my secret", initialResponse: false);
        Assert.Equal(1, code);
        Assert.Contains("auth-failed 535 authentication failed", output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(relay.Spool));
        await relay.Process.WaitForStderrAsync(l => l.Contains("warning: 127.0.0.1; failed authentication", StringComparison.Ordinal), "fail2ban line");
    }

    private static async Task<(int Code, string Output)> RunAsync(int port, string mechanism, string user, string password, bool initialResponse)
    {
        string[] args = ["-c", Script, port.ToString(CultureInfo.InvariantCulture), mechanism, user, password, initialResponse ? "1" : "0"];
        await using var tool = ToolProcess.Start(PythonSmtp.Python, args, standardInput: "");
        int code = await tool.WaitForExitAsync(TimeSpan.FromSeconds(40));
        return (code, tool.StandardOutput + tool.StandardError);
    }
}
