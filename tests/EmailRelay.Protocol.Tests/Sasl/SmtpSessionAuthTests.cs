using System.Net;
using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Sasl;
using EmailRelay.Protocol.Smtp.Server;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Protocol.Tests.Sasl;

public class SmtpSessionAuthTests
{
    private static SmtpServerSession Session(FakeSecrets secrets, SmtpServerPolicy? policy = null, string? config = null)
    {
        var time = new FakeTimeProvider();
        var sasl = new SaslServerMechanisms(secrets, SaslConfig.Parse(config), new Random(5), time, "vm");
        var session = new SmtpServerSession(policy ?? SmtpServerPolicy.Default with { Domain = "vm" }, time, new PeerInfo("127.0.0.1", "127.0.0.1:1"))
        {
            Sasl = sasl,
            Trusted = secrets.FindTrusted(IPAddress.Loopback),
        };
        session.Start();
        return session;
    }

    private static string Send(SmtpServerSession session, string line)
    {
        SessionStep step;
        if (session.InputMode == InputMode.SaslResponse)
        {
            step = session.HandleAuthResponse(line);
        }
        else
        {
            SmtpCommandParser.TryParse(Encoding.UTF8.GetBytes(line), session.Policy, out var command, out _);
            step = session.Handle(command);
        }

        var replies = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            replies.AddRange(step.Replies.Select(r => r.ToString().TrimEnd()));
            if (step.Operation is SessionOperation.VerifyRecipient)
            {
                step = session.Complete(OperationResult.Verified(VerifierResult.AcceptRemote("x")));
            }
            else if (step.Operation is SessionOperation.BeginMessage)
            {
                step = session.Complete(OperationResult.Success);
            }
            else
            {
                break;
            }
        }

        return string.Join("|", replies);
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [Fact]
    public void Ehlo_advertises_auth_and_mail_needs_it()
    {
        var s = Session(new FakeSecrets().Plain("alice", "pw"));
        Assert.Contains("250-AUTH CRAM-SHA512 CRAM-SHA256 CRAM-SHA1 CRAM-MD5 PLAIN LOGIN", Send(s, "EHLO x"), StringComparison.Ordinal);
        Assert.Equal("530 authentication required", Send(s, "MAIL FROM:<a@b.c>"));
        Assert.Equal("530 authentication required", Send(s, "VRFY x"));
        Assert.Equal("none", s.VerifierAuthMechanism);
        Assert.Equal("334", Send(s, "AUTH PLAIN"));
        Assert.Equal(InputMode.SaslResponse, s.InputMode);
        Assert.Equal("235 authentication successful", Send(s, B64("\0alice\0pw")));
        Assert.Equal("alice", s.AuthenticatedId);
        Assert.Equal("plain", s.VerifierAuthMechanism);
        Assert.Equal("alice", s.VerifierAuthId);
        Assert.Equal("503 already authenticated", Send(s, "AUTH PLAIN"));
        Assert.StartsWith("250 ", Send(s, "MAIL FROM:<a@b.c>"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_trusted_peer_needs_no_auth_and_passes_its_keyword()
    {
        var s = Session(new FakeSecrets().Plain("alice", "pw").Trust("127.0.0.0/8", "localkw"));
        Send(s, "EHLO x");
        Assert.StartsWith("250 ", Send(s, "MAIL FROM:<a@b.c>"), StringComparison.Ordinal);
        Assert.Equal("none", s.VerifierAuthMechanism);
        Assert.Equal("localkw", s.VerifierAuthId);
    }

    [Fact]
    public void Three_failures_close_with_421()
    {
        var s = Session(new FakeSecrets().Plain("alice", "pw"));
        Send(s, "EHLO x");
        Assert.Equal("535 authentication failed", Send(s, "AUTH PLAIN " + B64("\0alice\0x")));
        Assert.Equal("501 invalid argument", Send(s, "AUTH PLAIN %%%%"));
        Assert.StartsWith("421 ", Send(s, "AUTH PLAIN " + B64("\0alice\0y")), StringComparison.Ordinal);
        Assert.Equal(InputMode.Closed, s.InputMode);
    }

    [Fact]
    public void Tls_required_hides_auth_before_tls_and_tls_resets_auth()
    {
        var policy = SmtpServerPolicy.Default with { Domain = "vm", TlsOffered = true, TlsRequired = true };
        var s = Session(new FakeSecrets().Plain("alice", "pw"), policy, "m:;a:plain");
        Assert.DoesNotContain("AUTH", Send(s, "EHLO x"), StringComparison.Ordinal);
        Assert.Equal("530 encryption required: use starttls", Send(s, "AUTH PLAIN"));
        Assert.Equal("530 authentication required: use starttls", Send(s, "MAIL FROM:<a@b.c>"));
        s.TlsEstablished(new TlsInfo("TLS_AES_128_GCM_SHA256"));
        Assert.Contains("250-AUTH PLAIN", Send(s, "EHLO x"), StringComparison.Ordinal);
        Assert.Equal("504 unsupported authentication mechanism", Send(s, "AUTH LOGIN"));
    }

    [Fact]
    public void No_mechanisms_before_tls_says_use_starttls()
    {
        var policy = SmtpServerPolicy.Default with { Domain = "vm", TlsOffered = true };
        var s = Session(new FakeSecrets().Plain("alice", "pw"), policy, "m:;a:plain");
        Send(s, "EHLO x");
        Assert.Equal("504 unsupported authentication mechanism: use starttls", Send(s, "AUTH PLAIN"));
    }

    [Fact]
    public void Star_cancels_the_exchange()
    {
        var s = Session(new FakeSecrets().Plain("alice", "pw"));
        Send(s, "EHLO x");
        Assert.Equal("334 VXNlcm5hbWU6", Send(s, "AUTH LOGIN"));
        Assert.Equal("501 authentication cancelled", Send(s, "*"));
        Assert.Equal(InputMode.Command, s.InputMode);
    }
}
