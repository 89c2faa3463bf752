using System.Text;
using EmailRelay.Protocol.Pop3;
using EmailRelay.Protocol.Sasl;
using EmailRelay.Protocol.Tests.Sasl;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Protocol.Tests.Pop3;

public class Pop3ServerSessionTests
{
    private static readonly FakeTimeProvider s_time = new(DateTimeOffset.FromUnixTimeSeconds(1_795_486_944));
    private static readonly Pop3Message[] s_two = [new(100, "emailrelay.1.2.1.content"), new(250, "emailrelay.1.2.2.content")];

    private static Pop3ServerSession Session(FakeSecrets? secrets = null, Pop3ServerPolicy? policy = null, string? config = null)
        => new(policy ?? Pop3ServerPolicy.Default, new SaslServerMechanisms(secrets ?? new FakeSecrets().Plain("alice", "pw one"), SaslConfig.Parse(config), new Random(1), s_time, "relay.example.org"));

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    /// <summary>Feeds one line, completing operations like a driver (listing <paramref name="listing"/>); returns the reply lines.</summary>
    private static string Feed(Pop3ServerSession session, string line, IReadOnlyList<Pop3Message>? listing = null, List<Pop3Operation>? operations = null)
    {
        var step = session.InputMode == Pop3InputMode.SaslResponse
            ? session.HandleSaslResponse(Encoding.UTF8.GetBytes(line))
            : session.Handle(Pop3CommandParser.Parse(Encoding.UTF8.GetBytes(line)));
        var lines = new List<string>(step.Lines);
        while (step.Operation is { } op)
        {
            operations?.Add(op);
            switch (op)
            {
                case Pop3Operation.OpenMailbox:
                    step = session.MailboxOpened(listing ?? s_two);
                    lines.AddRange(step.Lines);
                    continue;
                case Pop3Operation.Retrieve:
                    session.Retrieved();
                    break;
                case Pop3Operation.StartTls:
                    session.TlsEstablished();
                    break;
                case Pop3Operation.Update:
                    step = session.Updated(true);
                    lines.AddRange(step.Lines);
                    continue;
            }

            break;
        }

        return string.Join("|", lines);
    }

    private static Pop3ServerSession LoggedIn()
    {
        var session = Session();
        session.Start();
        Feed(session, "USER alice");
        Assert.Equal("+OK authenticated", Feed(session, "PASS pw one"));
        return session;
    }

    [Fact]
    public void Greeting_carries_the_apop_challenge_when_plain_secrets_exist()
    {
        var greeting = Assert.Single(Session().Start().Lines);
        Assert.Matches(@"^\+OK POP3 server ready <\d+\.1795486944@relay\.example\.org>$", greeting);
        var hashed = Session(new FakeSecrets().Hashed(HashKind.Md5, "alice", "pw"));
        Assert.Equal("+OK POP3 server ready", Assert.Single(hashed.Start().Lines));
    }

    [Theory]
    [InlineData(false, false, "+OK capability list follows|USER|CAPA|TOP|UIDL|SASL CRAM-SHA512 CRAM-SHA256 CRAM-SHA1 CRAM-MD5 PLAIN LOGIN|.")]
    [InlineData(true, false, "+OK capability list follows|USER|CAPA|TOP|UIDL|STLS|SASL CRAM-SHA512 CRAM-SHA256 CRAM-SHA1 CRAM-MD5 PLAIN LOGIN|.")]
    [InlineData(true, true, "+OK capability list follows|USER|CAPA|TOP|UIDL|STLS|.")]
    public void Capa_lists_in_the_reference_order(bool tls, bool tlsRequired, string expected)
    {
        var session = Session(policy: new Pop3ServerPolicy { TlsOffered = tls, TlsRequired = tlsRequired });
        Assert.Equal(expected, Feed(session, "CAPA"));
    }

    [Fact]
    public void Capa_after_stls_drops_stls()
    {
        var session = Session(policy: new Pop3ServerPolicy { TlsOffered = true });
        Assert.Equal("+OK", Feed(session, "STLS"));
        Assert.DoesNotContain("STLS", Feed(session, "CAPA").Split('|'));
        Assert.Equal("-ERR", Feed(session, "STLS"));
    }

    [Fact]
    public void Capa_without_plain_omits_user_and_user_is_refused()
    {
        var session = Session(new FakeSecrets().Hashed(HashKind.Md5, "alice", "pw"));
        Assert.Equal("+OK capability list follows|CAPA|TOP|UIDL|SASL CRAM-MD5|.", Feed(session, "CAPA"));
        Assert.Equal(Pop3Replies.NoPlain, Feed(session, "USER alice"));
    }

    [Theory]
    [InlineData("pw one", "+OK authenticated")]
    [InlineData("pw", "-ERR authentication failed")]
    [InlineData("pw one ", "-ERR authentication failed")]
    public void Pass_takes_the_whole_rest_of_the_line(string password, string expected)
    {
        var session = Session();
        Assert.Equal("+OK user: alice", Feed(session, "USER alice"));
        Assert.Equal(expected, Feed(session, "PASS " + password));
    }

    [Theory]
    [InlineData("PASS pw one")]
    [InlineData("STAT")]
    [InlineData("LIST")]
    [InlineData("RETR 1")]
    [InlineData("DELE 1")]
    [InlineData("NOOP")]
    [InlineData("FOO")]
    [InlineData("USER")]
    public void Authorization_state_refuses_transaction_commands_and_pass_without_user(string line)
    {
        Assert.Equal("-ERR", Feed(Session(), line));
    }

    [Fact]
    public void Apop_checks_the_md5_of_the_challenge_and_password()
    {
        var session = Session();
        var greeting = session.Start().Lines[0];
        var challenge = greeting[greeting.IndexOf('<', StringComparison.Ordinal)..];
        Assert.Equal("-ERR authentication failed", Feed(session, "APOP alice " + Apop.Digest(challenge, "wrong"u8)));
        Assert.Equal("+OK authenticated", Feed(session, "APOP alice " + Apop.Digest(challenge, "pw one"u8)));
        Assert.Equal("alice", session.User);
    }

    [Fact]
    public void Auth_without_argument_lists_mechanisms()
    {
        Assert.Equal("+OK|CRAM-SHA512|CRAM-SHA256|CRAM-SHA1|CRAM-MD5|PLAIN|LOGIN|.", Feed(Session(), "AUTH"));
    }

    [Fact]
    public void Auth_plain_with_an_initial_response()
    {
        var session = Session();
        Assert.Equal("+OK authenticated", Feed(session, "AUTH PLAIN " + B64("\0alice\0pw one")));
        Assert.Equal(Pop3State.Transaction, session.State);
    }

    [Fact]
    public void Auth_login_exchange_then_cancel_and_bad_base64()
    {
        var session = Session();
        Assert.Equal("+ " + B64("Username:"), Feed(session, "AUTH LOGIN"));
        Assert.Equal("+ " + B64("Password:"), Feed(session, B64("alice")));
        Assert.Equal("+OK authenticated", Feed(session, B64("pw one")));

        session = Session();
        Feed(session, "auth login");
        Assert.Equal(Pop3Replies.AuthenticationCancelled, Feed(session, "*"));
        Assert.Equal(Pop3InputMode.Command, session.InputMode);
        Feed(session, "AUTH LOGIN");
        Assert.Equal("-ERR authentication failed", Feed(session, "!!!"));
    }

    [Fact]
    public void Auth_cram_md5_exchange()
    {
        var session = Session();
        var challengeLine = Feed(session, "AUTH CRAM-MD5");
        var challenge = Convert.FromBase64String(challengeLine[2..]);
#pragma warning disable CA5351 // CRAM-MD5 is what the protocol uses
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.HMACMD5.HashData("pw one"u8, challenge));
#pragma warning restore CA5351
        Assert.Equal("+OK authenticated", Feed(session, B64("alice " + digest)));
    }

    [Fact]
    public void Auth_of_an_unadvertised_mechanism_is_refused()
    {
        Assert.Equal(Pop3Replies.UnsupportedMechanism, Feed(Session(), "AUTH XOAUTH2"));
        Assert.Equal(Pop3Replies.UnsupportedMechanism, Feed(Session(config: "x:plain"), "AUTH PLAIN"));
    }

    [Theory]
    [InlineData("USER alice")]
    [InlineData("APOP alice 00000000000000000000000000000000")]
    [InlineData("AUTH PLAIN")]
    public void Tls_required_refuses_authentication_before_stls(string line)
    {
        var session = Session(policy: new Pop3ServerPolicy { TlsOffered = true, TlsRequired = true });
        Assert.Equal(Pop3Replies.MustUseStls, Feed(session, line));
        Feed(session, "STLS");
        Assert.NotEqual(Pop3Replies.MustUseStls, Feed(session, line));
    }

    [Fact]
    public void Three_failed_logins_close_the_connection()
    {
        var session = Session();
        Feed(session, "USER alice");
        Assert.Equal("-ERR authentication failed", Feed(session, "PASS x"));
        Feed(session, "USER alice");
        Assert.Equal("-ERR authentication failed", Feed(session, "PASS x"));
        Feed(session, "USER alice");
        var ops = new List<Pop3Operation>();
        Assert.Equal("-ERR authentication failed|-ERR too many authentication failures", Feed(session, "PASS x", operations: ops));
        Assert.IsType<Pop3Operation.Close>(Assert.Single(ops));
        Assert.Equal(Pop3InputMode.Closed, session.InputMode);
    }

    [Fact]
    public void Quit_in_authorization_signs_off_and_closes()
    {
        var ops = new List<Pop3Operation>();
        Assert.Equal("+OK signing off", Feed(Session(), "QUIT", operations: ops));
        Assert.IsType<Pop3Operation.Close>(Assert.Single(ops));
    }

    [Theory]
    [InlineData("STAT", "+OK 2 350")]
    [InlineData("LIST", "+OK 2 message(s)|1 100|2 250|.")]
    [InlineData("LIST 2", "+OK 2 250")]
    [InlineData("LIST 3", "-ERR invalid id")]
    [InlineData("LIST 0", "-ERR invalid id")]
    [InlineData("LIST x", "-ERR invalid id")]
    [InlineData("UIDL", "+OK 2 message(s)|1 emailrelay.1.2.1.content|2 emailrelay.1.2.2.content|.")]
    [InlineData("UIDL 1", "+OK 1 emailrelay.1.2.1.content")]
    [InlineData("RETR 2", "+OK 250 octets")]
    [InlineData("RETR 9", "-ERR invalid id")]
    [InlineData("RETR", "-ERR invalid id")]
    [InlineData("TOP 1 5", "+OK")]
    [InlineData("TOP 1", "-ERR")]
    [InlineData("TOP 3 1", "-ERR invalid id")]
    [InlineData("NOOP", "+OK")]
    [InlineData("USER alice", "-ERR")]
    [InlineData("STLS", "-ERR")]
    [InlineData("XYZZY", "-ERR")]
    public void Transaction_commands(string line, string expected)
    {
        Assert.Equal(expected, Feed(LoggedIn(), line));
    }

    [Fact]
    public void Retr_and_top_ask_the_driver_for_the_content()
    {
        var session = LoggedIn();
        var ops = new List<Pop3Operation>();
        Feed(session, "RETR 2", operations: ops);
        Feed(session, "TOP 1 3", operations: ops);
        Assert.Equal([new Pop3Operation.Retrieve(1, -1), new Pop3Operation.Retrieve(0, 3)], ops);
    }

    [Fact]
    public void Dele_marks_rset_clears_and_quit_removes_only_the_marked()
    {
        var session = LoggedIn();
        Assert.Equal("+OK", Feed(session, "DELE 1"));
        Assert.Equal("-ERR invalid id", Feed(session, "DELE 1"));
        Assert.Equal("-ERR invalid id", Feed(session, "RETR 1"));
        Assert.Equal("+OK 1 250", Feed(session, "STAT"));
        Assert.Equal("+OK 1 message(s)|2 250|.", Feed(session, "LIST"));
        Assert.Equal("+OK", Feed(session, "RSET"));
        Assert.Equal("+OK 2 350", Feed(session, "STAT"));
        Feed(session, "DELE 2");
        var ops = new List<Pop3Operation>();
        Assert.Equal("+OK signing off", Feed(session, "QUIT", operations: ops));
        var update = Assert.IsType<Pop3Operation.Update>(ops[0]);
        Assert.Equal([1], update.Deleted);
        Assert.IsType<Pop3Operation.Close>(ops[1]);
    }

    [Theory]
    [InlineData("RETR 1")]
    [InlineData("TOP 1 0")]
    public void A_message_the_driver_finds_taken_is_withdrawn_for_the_rest_of_the_session(string command)
    {
        var session = LoggedIn();
        Feed(session, "DELE 1");
        Feed(session, "RSET");
        var step = session.Handle(Pop3CommandParser.Parse(Encoding.UTF8.GetBytes(command)));
        Assert.Equal(0, Assert.IsType<Pop3Operation.Retrieve>(step.Operation).Index);
        Assert.Equal(["-ERR invalid id"], session.RetrieveFailed().Lines);
        Assert.Throws<InvalidOperationException>(session.Retrieved);

        // Gone as if deleted, and RSET does not bring it back.
        Assert.Equal("+OK 1 250", Feed(session, "STAT"));
        Assert.Equal("+OK 1 message(s)|2 250|.", Feed(session, "LIST"));
        Assert.Equal("-ERR invalid id", Feed(session, "UIDL 1"));
        Assert.Equal("-ERR invalid id", Feed(session, "DELE 1"));
        Assert.Equal("+OK", Feed(session, "RSET"));
        Assert.Equal("+OK 1 250", Feed(session, "STAT"));
        Assert.Equal("+OK 2 250", Feed(session, "LIST 2"));

        // QUIT removes only what this session marked, never the withdrawn message.
        Feed(session, "DELE 2");
        var ops = new List<Pop3Operation>();
        Assert.Equal("+OK signing off", Feed(session, "QUIT", operations: ops));
        Assert.Equal([1], Assert.IsType<Pop3Operation.Update>(ops[0]).Deleted);
    }

    [Fact]
    public void A_failed_update_says_so()
    {
        var session = LoggedIn();
        Feed(session, "DELE 1");
        var step = session.Handle(new Pop3Command(Pop3Verb.Quit, ""));
        Assert.IsType<Pop3Operation.Update>(step.Operation);
        Assert.Equal(["-ERR some deleted messages not removed"], session.Updated(false).Lines);
    }

    [Fact]
    public void A_mailbox_that_cannot_be_opened_stays_in_authorization()
    {
        var session = Session();
        Feed(session, "USER alice");
        var step = session.Handle(new Pop3Command(Pop3Verb.Pass, "pw one"));
        Assert.IsType<Pop3Operation.OpenMailbox>(step.Operation);
        Assert.Equal([Pop3Replies.CannotOpenMailbox], session.MailboxOpened(null).Lines);
        Assert.Equal(Pop3State.Authorization, session.State);
    }

    [Fact]
    public void Feeding_while_an_operation_is_pending_is_a_driver_bug()
    {
        var session = LoggedIn();
        session.Handle(new Pop3Command(Pop3Verb.Retr, "1"));
        Assert.Throws<InvalidOperationException>(() => session.Handle(new Pop3Command(Pop3Verb.Noop, "")));
    }

    [Fact]
    public void Every_prefix_of_a_session_script_gives_only_ok_or_err_replies()
    {
        string[] script = ["CAPA", "USER alice", "PASS pw one", "STAT", "LIST", "UIDL 2", "RETR 1", "TOP 2 0", "DELE 2", "RSET", "NOOP", "QUIT"];
        for (int n = 1; n <= script.Length; n++)
        {
            var session = Session();
            foreach (var line in script[..n])
            {
                var reply = Feed(session, line);
                Assert.True(reply.StartsWith("+OK", StringComparison.Ordinal) || reply.StartsWith("-ERR", StringComparison.Ordinal), line + " -> " + reply);
            }
        }
    }
}
