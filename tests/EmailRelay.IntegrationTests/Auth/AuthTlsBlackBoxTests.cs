using System.Text;
using EmailRelay.Testing.Tools;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace EmailRelay.IntegrationTests.Auth;

public class AuthTlsBlackBoxTests
{
    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("LOGIN")]
    [InlineData("CRAM-MD5")]
    [InlineData("CRAM-SHA1")]
    public async Task Swaks_authenticates_over_starttls_and_the_envelope_holds_the_id(string mechanism)
    {
        await using var relay = await AuthRelay.StartAsync("--server-tls");
        var result = await Swaks.SendAsync(relay.Port, "a@example.com", "b@example.com",
            extraArguments: ["--tls", "--auth", mechanism, "--auth-user", "alice", "--auth-password", "my secret"]);
        Assert.True(result.ExitCode == 0, result.Output + relay.Process.StderrText);
        string envelope = File.ReadAllText(Assert.Single(relay.Envelopes()));
        Assert.Contains("X-MailRelay-Authentication: alice\r\n", envelope, StringComparison.Ordinal);
        string content = File.ReadAllText(Path.ChangeExtension(relay.Envelopes()[0], ".content"));
        Assert.Matches(@"with ESMTPSA tls TLS_[A-Z0-9_]+ ;", content);
    }

    [Fact]
    public async Task Swaks_over_smtps_with_a_wrong_password_is_refused_and_nothing_is_stored()
    {
        await using var relay = await AuthRelay.StartAsync("--server-tls-connection");
        var result = await Swaks.SendAsync(relay.Port, "a@example.com", "b@example.com",
            extraArguments: ["--tlsc", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "wrong"]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("535 authentication failed", result.Output, StringComparison.Ordinal);
        var ok = await Swaks.SendAsync(relay.Port, "a@example.com", "b@example.com",
            extraArguments: ["--tlsc", "--auth", "PLAIN", "--auth-user", "bob", "--auth-password", "pw"]);
        Assert.True(ok.ExitCode == 0, ok.Output);
        Assert.Single(relay.Envelopes());
        await relay.Process.WaitForStderrAsync(l => l.Contains("127.0.0.1; failed authentication", StringComparison.Ordinal), "fail2ban line");
    }

    [Theory]
    [InlineData("PLAIN", false)]
    [InlineData("LOGIN", false)]
    [InlineData("CRAM-MD5", false)]
    [InlineData("CRAM-SHA256", false)]
    [InlineData("PLAIN", true)]
    [InlineData("CRAM-SHA512", true)]
    public async Task MailKit_authenticates_with_each_mechanism(string mechanism, bool smtps)
    {
        await using var relay = await AuthRelay.StartAsync(smtps ? "--server-tls-connection" : "--server-tls");
#pragma warning disable CA5359 // the test certificate is self-signed
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true, Timeout = 30_000 };
#pragma warning restore CA5359
        await client.ConnectAsync("127.0.0.1", relay.Port, smtps ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls);
        var credentials = new System.Net.NetworkCredential("alice", "my secret");
        SaslMechanism sasl = mechanism switch
        {
            "PLAIN" => new SaslMechanismPlain(credentials),
            "LOGIN" => new SaslMechanismLogin(credentials),
            "CRAM-MD5" => new SaslMechanismCramMd5(credentials),
            _ => new ExternalCram(mechanism, credentials),
        };
        await client.AuthenticateAsync(sasl);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("a@example.com"));
        message.To.Add(MailboxAddress.Parse("b@example.com"));
        message.Subject = "mk";
        message.Body = new TextPart("plain") { Text = "hello" };
        await client.SendAsync(message);
        await client.DisconnectAsync(true);
        Assert.Contains("X-MailRelay-Authentication: alice", File.ReadAllText(Assert.Single(relay.Envelopes())), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mail_without_authentication_is_refused()
    {
        await using var relay = await AuthRelay.StartAsync();
        using var c = await relay.ConnectAsync();
        await c.SendAsync("EHLO x\r\n");
        Assert.StartsWith("250 ", await c.ReadReplyAsync(), StringComparison.Ordinal);
        await c.SendAsync("MAIL FROM:<a@b.c>\r\n");
        Assert.Equal("530 authentication required", await c.ReadReplyAsync());
        await c.SendAsync("VRFY x\r\n");
        Assert.Equal("530 authentication required", await c.ReadReplyAsync());
    }

    [Fact]
    public async Task Auth_before_tls_is_refused_when_tls_is_required()
    {
        await using var relay = await AuthRelay.StartAsync("--server-tls", "--server-tls-required");
        using var c = await relay.ConnectAsync();
        await c.SendAsync("EHLO x\r\nAUTH PLAIN " + B64("\0alice\0my secret") + "\r\n");
        Assert.StartsWith("250 ", await c.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.Equal("530 encryption required: use starttls", await c.ReadReplyAsync());
        await c.SendAsync("MAIL FROM:<a@b.c>\r\n");
        Assert.Equal("530 authentication required: use starttls", await c.ReadReplyAsync());
    }

    [Fact]
    public async Task Thirty_wrong_passwords_on_one_connection_end_in_a_disconnect_after_three()
    {
        await using var relay = await AuthRelay.StartAsync();
        using var c = await relay.ConnectAsync();
        await c.SendAsync("EHLO x\r\n");
        await c.ReadReplyAsync();
        var replies = new List<string?>();
        for (int i = 0; i < 30; i++)
        {
            try
            {
                await c.SendAsync("AUTH PLAIN " + B64("\0alice\0guess" + i) + "\r\n");
            }
            catch (IOException)
            {
                break;
            }

            string? reply = await c.ReadReplyAsync();
            replies.Add(reply);
            if (reply is null)
            {
                break;
            }
        }

        Assert.Equal(["535 authentication failed", "535 authentication failed"], replies.Take(2));
        Assert.StartsWith("421 ", replies[2], StringComparison.Ordinal);
        Assert.True(replies.Count <= 4, string.Join("|", replies));
        Assert.Null(replies.Count == 4 ? replies[3] : null);
    }

    [Fact]
    public async Task Bad_base64_gets_501_and_star_cancels()
    {
        await using var relay = await AuthRelay.StartAsync();
        using var c = await relay.ConnectAsync();
        await c.SendAsync("EHLO x\r\nAUTH PLAIN !!!!\r\n");
        await c.ReadReplyAsync();
        Assert.Equal("501 invalid argument", await c.ReadReplyAsync());
        await c.SendAsync("AUTH LOGIN\r\n");
        Assert.Equal("334 VXNlcm5hbWU6", await c.ReadReplyAsync());
        await c.SendAsync("*\r\n");
        Assert.Equal("501 authentication cancelled", await c.ReadReplyAsync());
        await c.SendAsync("AUTH DIGEST-MD5\r\n");
        Assert.Equal("504 unsupported authentication mechanism", await c.ReadReplyAsync());
        await c.SendAsync("AUTH PLAIN " + B64("\0alice\0my secret") + "\r\nAUTH PLAIN =\r\n");
        Assert.Equal("235 authentication successful", await c.ReadReplyAsync());
        Assert.StartsWith("503 ", await c.ReadReplyAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("STARTTLS\r\nRSET\r\n")]
    [InlineData("STARTTLS\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\nSubject: x\r\n\r\nsmuggled\r\n.\r\n")]
    public async Task Plaintext_pipelined_after_starttls_is_never_executed(string packet)
    {
        // The peer is trusted, so the smuggled transaction would be stored if it were ever executed.
        await using var relay = await AuthRelay.StartAsync(true, "--server-tls");
        using var c = await relay.ConnectAsync();
        await c.SendAsync("EHLO x\r\n");
        await c.ReadReplyAsync();
        await c.SendAsync(packet);
        Assert.Equal("220 ready to start tls", await c.ReadReplyAsync());
        Assert.Null(await c.ReadReplyAsync());
        Assert.Empty(Directory.GetFiles(relay.Spool));
    }

    [Fact]
    public async Task Openssl_s_client_starttls_smtp_completes_a_handshake()
    {
        await using var relay = await AuthRelay.StartAsync("--server-tls");
        await using var tool = ToolProcess.Start("/usr/bin/openssl", ["s_client", "-starttls", "smtp", "-connect", "127.0.0.1:" + relay.Port, "-quiet"], "EHLO x\r\nQUIT\r\n");
        tool.CloseStandardInput();
        await tool.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("250-AUTH CRAM-SHA512 CRAM-SHA256 CRAM-SHA1 CRAM-MD5 PLAIN LOGIN", tool.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("STARTTLS", tool.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>CRAM-SHA* for MailKit, computed with the platform's HMAC.</summary>
    private sealed class ExternalCram(string name, System.Net.NetworkCredential credentials) : SaslMechanism(credentials)
    {
        public override string MechanismName => name;

        protected override byte[] Challenge(byte[]? token, int startIndex, int length, CancellationToken cancellationToken)
        {
            byte[] challenge = token is null ? [] : token.AsSpan(startIndex, length).ToArray();
            byte[] key = Encoding.UTF8.GetBytes(Credentials.Password);
            byte[] mac = name switch
            {
                "CRAM-SHA256" => System.Security.Cryptography.HMACSHA256.HashData(key, challenge),
                _ => System.Security.Cryptography.HMACSHA512.HashData(key, challenge),
            };
            IsAuthenticated = true;
            return Encoding.UTF8.GetBytes(Credentials.UserName + " " + Convert.ToHexStringLower(mac));
        }
    }
}
