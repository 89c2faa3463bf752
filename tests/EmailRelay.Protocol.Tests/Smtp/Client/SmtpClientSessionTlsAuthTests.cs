using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Sasl;
using EmailRelay.Protocol.Smtp.Client;
using static EmailRelay.Protocol.Tests.Smtp.Client.SmtpClientSessionTests;

namespace EmailRelay.Protocol.Tests.Smtp.Client;

/// <summary>The client session's STARTTLS and AUTH transitions (reference §d "Client side", §e "Client side", §i steps 3-5 and 8.4).</summary>
public class SmtpClientSessionTlsAuthTests
{
    private const string Password = "pw";
    private static readonly OutgoingMessage s_message = new("a@x", ["b@y"], BodyType.Unknown, false);
    private const string Tail = "MAIL FROM:<a@x>|RCPT TO:<b@y>|DATA|<data>";

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static SmtpClientPolicy Policy(bool startTls = false, bool implicitTls = false, bool required = false, string config = "", bool anonymous = false) =>
        SmtpClientPolicy.Default with
        {
            EhloName = "client.example",
            StartTls = startTls,
            ImplicitTls = implicitTls,
            TlsRequired = required,
            AuthConfig = SaslConfig.Parse(config),
            AnonymousAuth = anonymous,
        };

    /// <summary>A server whose EHLO reply changes after STARTTLS, and which answers STARTTLS with <paramref name="startTlsReply"/>.</summary>
    private static Func<string, string> TlsServer(string before, string after, string startTlsReply)
    {
        var tls = false;
        return command =>
        {
            if (command.StartsWith("EHLO", StringComparison.Ordinal))
            {
                return tls ? after : before;
            }

            if (command == "STARTTLS")
            {
                tls = true;
                return startTlsReply;
            }

            return command == "DATA" ? "354 go" : "250 ok";
        };
    }

    public static TheoryData<string, bool, bool, bool, string, string, string, string, string?> TlsRows() => new()
    {
        // name, --client-tls, --client-tls-connection, --client-tls-required, EHLO before, EHLO after, STARTTLS reply, transcript, error
        { "offered", true, false, false, "250-x\n250 STARTTLS", "250 x", "220 go", "EHLO client.example|STARTTLS|<tls>|EHLO client.example|" + Tail, null },
        { "offered and required", true, false, true, "250-x\n250 STARTTLS", "250 x", "220 go", "EHLO client.example|STARTTLS|<tls>|EHLO client.example|" + Tail, null },
        { "not offered", true, false, false, "250 x", "", "", "EHLO client.example|" + Tail, null },
        { "not offered but required", true, false, true, "250 x", "", "", "EHLO client.example", SmtpClientSession.TlsNotOffered },
        { "no esmtp but required", true, false, true, "502 what", "", "", "EHLO client.example", SmtpClientSession.TlsNoEsmtp },
        { "no esmtp falls back to helo", true, false, false, "502 what", "", "", "EHLO client.example|HELO client.example|" + Tail, null },
        { "starttls refused with 454", true, false, false, "250-x\n250 STARTTLS", "", "454 4.7.0 tls not available", "EHLO client.example|STARTTLS", "4.7.0 tls not available" },
        { "starttls answered 334", true, false, false, "250-x\n250 STARTTLS", "", "334 what", "EHLO client.example|STARTTLS", SmtpClientSession.UnexpectedResponse },
        { "second ehlo refused", true, false, false, "250-x\n250 STARTTLS", "554 no", "220 go", "EHLO client.example|STARTTLS|<tls>|EHLO client.example", "no" },
        { "implicit ignores starttls", false, true, false, "250-x\n250 STARTTLS", "", "", "EHLO client.example|" + Tail, null },
        { "implicit and required may use helo", false, true, true, "502 what", "", "", "EHLO client.example|HELO client.example|" + Tail, null },
        { "no tls options ignore starttls", false, false, false, "250-x\n250 STARTTLS", "", "", "EHLO client.example|" + Tail, null },
    };

    [Theory]
    [MemberData(nameof(TlsRows))]
    public void Tls_transitions(string name, bool startTls, bool implicitTls, bool required, string before, string after, string startTlsReply, string transcript, string? error)
    {
        Assert.NotEmpty(name);
        var (actual, outcome, actualError) = Converse(TlsServer(before, after, startTlsReply), s_message, Policy(startTls, implicitTls, required));
        Assert.Equal(transcript, actual);
        Assert.Equal(error, actualError);
        if (error is null)
        {
            Assert.True(outcome!.IsComplete);
        }
        else
        {
            Assert.False(outcome!.Delivered);
            Assert.Equal(startTlsReply.StartsWith("454", StringComparison.Ordinal), outcome.Transient);
        }
    }

    [Fact]
    public void After_starttls_the_session_is_secure_and_forgets_the_first_ehlo()
    {
        var session = new SmtpClientSession(Policy(startTls: true));
        session.OnGreeting(Parse("220 x"));
        Assert.Equal("STARTTLS\r\n", session.OnReply(Parse("250-x\n250-PIPELINING\n250 STARTTLS")).Commands);
        Assert.False(session.IsSecure);
        Assert.Equal(ClientStepKind.StartTls, session.OnReply(Parse("220 ready to start TLS")).Kind);
        Assert.Throws<InvalidOperationException>(() => session.OnGreeting(null));
        Assert.Equal("EHLO client.example\r\n", session.OnTlsEstablished().Commands);
        Assert.True(session.IsSecure);
        Assert.False(session.Capabilities.Pipelining);
        Assert.Equal(ClientStepKind.Ready, session.OnReply(Parse("250-x\n250 AUTH PLAIN")).Kind);
        Assert.Equal(["PLAIN"], session.Capabilities.AuthMechanisms);
        Assert.True(new SmtpClientSession(Policy(implicitTls: true)).IsSecure);
    }

    private static IReadOnlyList<Secret>? Secrets(string kind) => kind switch
    {
        "plain" => [new Secret("plain", "alice", Encoding.UTF8.GetBytes(Password), "line 1")],
        "md5" => [new Secret("md5", "alice", Hmac.MaskedState(HashKind.Md5, Encoding.UTF8.GetBytes(Password)), "line 1")],
        "sha256" => [new Secret("sha256", "alice", Hmac.MaskedState(HashKind.Sha256, Encoding.UTF8.GetBytes(Password)), "line 1")],
        "oauth" => [new Secret("oauth", "alice", Encoding.UTF8.GetBytes("token"), "line 1")],
        "noauth" => [new Secret("plain", "", [], "line 1") { IsNoAuth = true }],
        "long" => [new Secret("plain", "alice", Encoding.UTF8.GetBytes(new string('p', 400)), "line 1")],
        _ => null,
    };

    /// <summary>
    /// A server that advertises <paramref name="mechanisms"/> (null: no AUTH), refuses the mechanisms in
    /// <paramref name="refused"/> with 535, and checks every other exchange for alice's password for real.
    /// </summary>
    private static Func<string, string> AuthServer(string? mechanisms, string refused = "", string password = Password)
    {
        string? mechanism = null;
        var step = 0;
        byte[] challenge = Encoding.ASCII.GetBytes("<1896.697170952@postoffice.example.net>");
        string Check(bool ok)
        {
            mechanism = null;
            return ok ? "235 2.7.0 authenticated" : "535 5.7.8 bad credentials";
        }

        return command =>
        {
            if (mechanism is { } mech)
            {
                step++;
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(command));
                if (mech == "LOGIN")
                {
                    return step == 1 ? (text == "alice" ? "334 UGFzc3dvcmQ6" : Check(false)) : Check(text == password);
                }

                if (mech == "PLAIN")
                {
                    return Check(text == "\0alice\0" + password);
                }

                var kind = SecretTypes.CramHash(mech)!.Value;
                return Check(text == "alice " + Convert.ToHexStringLower(Hmac.Compute(kind, Encoding.UTF8.GetBytes(password), challenge)));
            }

            if (command.StartsWith("EHLO", StringComparison.Ordinal))
            {
                return mechanisms is null ? "250 x" : "250-x\n250 AUTH " + mechanisms;
            }

            if (command.StartsWith("AUTH ", StringComparison.Ordinal))
            {
                var words = command.Split(' ');
                if (refused.Split(',').Contains(words[1]))
                {
                    return "535 5.7.8 refused";
                }

                step = 0;
                if (words.Length == 3)
                {
                    var text = Encoding.UTF8.GetString(Convert.FromBase64String(words[2]));
                    return words[1] == "XOAUTH2" ? Check(text == "user=alice\u0001auth=Bearer token\u0001\u0001") : Check(text == "\0alice\0" + password);
                }

                mechanism = words[1];
                return words[1] switch
                {
                    "LOGIN" => "334 VXNlcm5hbWU6",
                    "PLAIN" => "334 ",
                    _ => "334 " + Convert.ToBase64String(challenge),
                };
            }

            return command == "DATA" ? "354 go" : "250 ok";
        };
    }

    private static string AuthLines(string transcript) =>
        string.Join(",", transcript.Split('|').Where(l => l.StartsWith("AUTH ", StringComparison.Ordinal)).Select(l => string.Join(' ', l.Split(' ').Take(2))));

    public static TheoryData<string, string?, string, string, string, bool, string, string?, int> AuthRows() => new()
    {
        // name, advertised, secret kind, --client-auth-config, refused mechanisms, secure, AUTH commands, error, error code
        { "default order takes the strongest cram", "PLAIN LOGIN CRAM-MD5 CRAM-SHA256", "plain", "", "", false, "AUTH CRAM-SHA256", null, 0 },
        { "cram-sha512 when offered", "CRAM-SHA512 CRAM-SHA1 PLAIN", "plain", "", "", false, "AUTH CRAM-SHA512", null, 0 },
        { "cram-sha1", "CRAM-SHA1 PLAIN", "plain", "", "", false, "AUTH CRAM-SHA1", null, 0 },
        { "config prefers plain", "PLAIN LOGIN CRAM-MD5", "plain", "m:plain,login", "", false, "AUTH PLAIN", null, 0 },
        { "config prefers login", "PLAIN LOGIN CRAM-MD5", "plain", "m:login", "", false, "AUTH LOGIN", null, 0 },
        { "config avoids crams", "PLAIN LOGIN CRAM-MD5", "plain", "x:cram-md5", "", false, "AUTH PLAIN", null, 0 },
        { "falls through to the next mechanism", "PLAIN LOGIN CRAM-MD5 CRAM-SHA256", "plain", "", "CRAM-SHA256,CRAM-MD5", false, "AUTH CRAM-SHA256,AUTH CRAM-MD5,AUTH PLAIN", null, 0 },
        { "all refused", "PLAIN LOGIN", "plain", "", "PLAIN,LOGIN", false, "AUTH PLAIN,AUTH LOGIN", SmtpClientSession.AuthFailed, 535 },
        { "md5 secret does cram-md5 only", "CRAM-SHA256 CRAM-MD5 PLAIN", "md5", "", "", false, "AUTH CRAM-MD5", null, 0 },
        { "sha256 secret does cram-sha256", "CRAM-SHA512 CRAM-SHA256 CRAM-MD5", "sha256", "", "", false, "AUTH CRAM-SHA256", null, 0 },
        { "md5 secret and no cram-md5", "PLAIN LOGIN", "md5", "", "", false, "", SmtpClientSession.AuthNoMechanism, 0 },
        { "oauth secret does xoauth2", "PLAIN XOAUTH2", "oauth", "", "", false, "AUTH XOAUTH2", null, 0 },
        { "oauth secret and no xoauth2", "PLAIN LOGIN", "oauth", "", "", false, "", SmtpClientSession.AuthNoMechanism, 0 },
        { "no auth offered", null, "plain", "", "", false, "", SmtpClientSession.AuthNotSupported, 0 },
        { "no secrets never authenticate", "PLAIN", "none", "", "", false, "", null, 0 },
        { "the no-auth selector line never authenticates", "PLAIN", "noauth", "", "", false, "", null, 0 },
        { "after tls the a: list applies", "PLAIN LOGIN", "plain", "m:;a:login", "", true, "AUTH LOGIN", null, 0 },
        { "before tls the m: list applies", "PLAIN LOGIN", "plain", "m:;a:login", "", false, "", SmtpClientSession.AuthNoMechanism, 0 },
        { "a long initial response waits for the 334", "PLAIN", "long", "", "", false, "AUTH PLAIN", null, 0 },
    };

    [Theory]
    [MemberData(nameof(AuthRows))]
    public void Auth_transitions(string name, string? advertised, string secretKind, string config, string refused, bool secure, string authCommands, string? error, int code)
    {
        Assert.NotEmpty(name);
        var password = secretKind == "long" ? new string('p', 400) : Password;
        var (transcript, outcome, actualError) = Converse(AuthServer(advertised, refused, password), s_message, Policy(implicitTls: secure, config: config), secrets: Secrets(secretKind));
        Assert.Equal(authCommands, AuthLines(transcript));
        Assert.Equal(error, actualError);
        if (error is null)
        {
            Assert.True(outcome!.IsComplete, outcome.Reason);
            Assert.EndsWith(Tail.Replace("MAIL FROM:<a@x>", "MAIL FROM:<a@x>" + (authCommands.Length > 0 ? " AUTH=alice" : ""), StringComparison.Ordinal), transcript, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(code, outcome!.ReasonCode);
            Assert.Equal(["b@y"], outcome.Undelivered);
            Assert.False(outcome.Transient);
            Assert.DoesNotContain("MAIL", transcript, StringComparison.Ordinal);
        }

        if (secretKind == "long")
        {
            Assert.Contains("|AUTH PLAIN|", transcript, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("alice", "", false, " AUTH=alice")]
    [InlineData("a=b c", "", false, " AUTH=a+3Db+20c")]
    [InlineData("alice", "", true, " AUTH=<>")]
    [InlineData("alice", "bob+2Bx", false, " AUTH=bob+2Bx")]
    [InlineData("alice", "not xtext", false, " AUTH=<>")]
    public void Auth_parameter_on_mail_follows_the_reference(string id, string mailFromAuthOut, bool anonymous, string expected)
    {
        var session = new SmtpClientSession(Policy(anonymous: anonymous));
        session.OnGreeting(Parse("220 x"));
        session.OnReply(Parse("250-x\n250-8BITMIME\n250 AUTH PLAIN"));
        session.UseSecrets([new Secret("plain", id, [1], "line 1")]);
        var auth = session.Send(s_message with { Body = BodyType.SevenBit, MailFromAuthOut = mailFromAuthOut });
        Assert.StartsWith("AUTH PLAIN ", auth.Commands, StringComparison.Ordinal);
        var mail = session.OnReply(Parse("235 ok"));
        Assert.Equal(id, session.AuthenticatedId);
        Assert.Equal("MAIL FROM:<a@x> BODY=7BIT" + expected + "\r\n", mail.Commands);
    }

    [Fact]
    public void Secrets_are_never_in_the_log_text()
    {
        var session = new SmtpClientSession(Policy());
        session.OnGreeting(Parse("220 x"));
        session.OnReply(Parse("250-x\n250 AUTH LOGIN PLAIN"));
        session.UseSecrets(Secrets("plain"));
        var plain = session.Send(s_message);
        Assert.Equal("AUTH PLAIN " + B64("\0alice\0pw") + "\r\n", plain.Commands);
        Assert.Equal("AUTH PLAIN [initial response not logged]", plain.LogText);
        var login = session.OnReply(Parse("535 no"));
        Assert.Equal("AUTH LOGIN\r\n", login.Commands);
        var user = session.OnReply(Parse("334 VXNlcm5hbWU6"));
        Assert.Equal(B64("alice") + "\r\n", user.Commands);
        Assert.Equal("[response not logged]", user.LogText);
        var password = session.OnReply(Parse("334 UGFzc3dvcmQ6"));
        Assert.Equal(B64("pw") + "\r\n", password.Commands);
        Assert.Equal("[response not logged]", password.LogText);
    }

    [Fact]
    public void A_temporary_auth_failure_is_transient()
    {
        var session = new SmtpClientSession(Policy());
        session.OnGreeting(Parse("220 x"));
        session.OnReply(Parse("250-x\n250 AUTH PLAIN"));
        session.UseSecrets(Secrets("plain"));
        session.Send(s_message);
        var step = session.OnReply(Parse("454 4.7.0 try later"));
        Assert.True(step.IsBroken);
        Assert.Equal(SmtpClientSession.AuthFailed, step.Error);
        Assert.Equal(454, step.Outcome!.ReasonCode);
        Assert.True(step.Outcome.Transient);
    }

    [Fact]
    public void The_second_message_does_not_authenticate_again()
    {
        var server = AuthServer("PLAIN");
        var session = new SmtpClientSession(Policy());
        session.OnGreeting(Parse("220 x"));
        session.OnReply(Parse(server("EHLO x")));
        session.UseSecrets(Secrets("plain"));
        Assert.StartsWith("AUTH PLAIN", session.Send(s_message).Commands, StringComparison.Ordinal);
        Assert.StartsWith("MAIL", session.OnReply(Parse("235 ok")).Commands, StringComparison.Ordinal);
        Assert.StartsWith("RCPT", session.OnReply(Parse("250 ok")).Commands, StringComparison.Ordinal);
        Assert.Equal("DATA\r\n", session.OnReply(Parse("250 ok")).Commands);
        Assert.Equal(ClientStepKind.SendData, session.OnReply(Parse("354 go")).Kind);
        Assert.True(session.OnReply(Parse("250 ok")).Outcome!.IsComplete);
        Assert.Throws<InvalidOperationException>(() => session.UseSecrets(Secrets("plain")));
        Assert.Equal("MAIL FROM:<a@x> AUTH=alice\r\n", session.Send(s_message).Commands);
    }
}
