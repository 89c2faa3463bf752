using System.Text;
using EmailRelay.Protocol.Sasl;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Protocol.Tests.Sasl;

public class SaslServerMechanismsTests
{
    private static readonly FakeTimeProvider s_time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    private static SaslServerMechanisms Mechanisms(FakeSecrets secrets, string? config = null)
        => new(secrets, SaslConfig.Parse(config), new Random(42), s_time, "relay.example");

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [Fact]
    public void Plain_secrets_advertise_every_cram_then_plain_and_login()
    {
        var m = Mechanisms(new FakeSecrets().Plain("alice", "pw"));
        Assert.Equal("CRAM-SHA512 CRAM-SHA256 CRAM-SHA1 CRAM-MD5 PLAIN LOGIN", string.Join(' ', m.Advertised(secure: false)));
    }

    [Fact]
    public void Only_hashed_secrets_advertise_the_matching_cram_and_plain_after_tls()
    {
        var m = Mechanisms(new FakeSecrets().Hashed(HashKind.Md5, "alice", "pw").Hashed(HashKind.Sha256, "bob", "pw"));
        Assert.Equal("CRAM-SHA256 CRAM-MD5", string.Join(' ', m.Advertised(secure: false)));
        Assert.Equal("CRAM-SHA256 CRAM-MD5 PLAIN LOGIN", string.Join(' ', m.Advertised(secure: true)));
    }

    [Fact]
    public void No_secrets_advertise_nothing_and_pam_only_plain()
    {
        Assert.Empty(Mechanisms(new FakeSecrets()).Advertised(secure: true));
        Assert.Equal(["PLAIN"], Mechanisms(new FakeSecrets { IsPam = true }).Advertised(secure: false));
    }

    [Theory]
    [InlineData("m:plain,login", false, "PLAIN LOGIN")]
    [InlineData("x:plain;x:login", false, "CRAM-SHA512 CRAM-SHA256 CRAM-SHA1 CRAM-MD5")]
    [InlineData("m:;a:plain", false, "")]
    [InlineData("m:;a:plain", true, "PLAIN")]
    [InlineData("d:cram-md5", false, "CRAM-SHA512 CRAM-SHA256 CRAM-SHA1 CRAM-MD5 PLAIN LOGIN")]
    [InlineData("d:cram-md5", true, "CRAM-SHA512 CRAM-SHA256 CRAM-SHA1 PLAIN LOGIN")]
    [InlineData("M:CRAM-MD5 PLAIN", false, "CRAM-MD5 PLAIN")]
    public void Server_auth_config_filters_before_and_after_tls(string config, bool secure, string expected)
    {
        var m = Mechanisms(new FakeSecrets().Plain("alice", "pw"), config);
        Assert.Equal(expected, string.Join(' ', m.Advertised(secure)));
    }

    [Fact]
    public void Create_refuses_a_mechanism_that_is_not_advertised()
    {
        var m = Mechanisms(new FakeSecrets().Plain("alice", "pw"), "m:plain");
        Assert.Null(m.Create("LOGIN", secure: false));
        Assert.NotNull(m.Create("plain", secure: false));
    }

    [Theory]
    [InlineData("pw", "Success")]
    [InlineData("wrong", "Failure")]
    public void Plain_with_an_initial_response(string password, string expectedName)
    {
        SaslServerStatus expected = Enum.Parse<SaslServerStatus>(expectedName);
        var mech = Mechanisms(new FakeSecrets().Plain("alice", "pw")).Create("PLAIN", false)!;
        Assert.Equal(expected, mech.Start(B64("\0alice\0" + password)).Status);
        Assert.Equal("alice", mech.AuthenticatedId);
    }

    [Fact]
    public void Plain_without_an_initial_response_or_with_equals_sends_an_empty_challenge()
    {
        foreach (string? initial in new[] { null, "=" })
        {
            var mech = Mechanisms(new FakeSecrets().Plain("alice", "pw")).Create("PLAIN", false)!;
            Assert.Equal(new SaslServerStep(SaslServerStatus.Challenge, string.Empty), mech.Start(initial));
            Assert.Equal(SaslServerStatus.Success, mech.Respond(B64("authz\0alice\0pw")).Status);
        }
    }

    [Theory]
    [InlineData("!!!!")]
    [InlineData("YWJj ZA==")]
    [InlineData("YWJ")]
    public void Bad_base64_is_malformed(string response)
    {
        var mech = Mechanisms(new FakeSecrets().Plain("alice", "pw")).Create("PLAIN", false)!;
        mech.Start(null);
        Assert.Equal(SaslServerStatus.Malformed, mech.Respond(response).Status);
        var again = Mechanisms(new FakeSecrets().Plain("alice", "pw")).Create("PLAIN", false)!;
        Assert.Equal(SaslServerStatus.Malformed, again.Start(response).Status);
    }

    [Fact]
    public void Plain_without_two_nuls_is_malformed()
    {
        var mech = Mechanisms(new FakeSecrets().Plain("alice", "pw")).Create("PLAIN", false)!;
        Assert.Equal(SaslServerStatus.Malformed, mech.Start(B64("alice pw")).Status);
    }

    [Fact]
    public void Star_cancels_at_any_step()
    {
        var m = Mechanisms(new FakeSecrets().Plain("alice", "pw"));
        Assert.Equal(SaslServerStatus.Cancelled, m.Create("PLAIN", false)!.Start("*").Status);
        var login = m.Create("LOGIN", false)!;
        login.Start(null);
        login.Respond(B64("alice"));
        Assert.Equal(SaslServerStatus.Cancelled, login.Respond("*").Status);
    }

    [Fact]
    public void Login_prompts_username_and_password_in_base64()
    {
        var mech = Mechanisms(new FakeSecrets().Plain("alice", "pw")).Create("LOGIN", false)!;
        Assert.Equal(new SaslServerStep(SaslServerStatus.Challenge, "VXNlcm5hbWU6"), mech.Start(null));
        Assert.Equal(new SaslServerStep(SaslServerStatus.Challenge, "UGFzc3dvcmQ6"), mech.Respond(B64("alice")));
        Assert.Equal(SaslServerStatus.Success, mech.Respond(B64("pw")).Status);
        Assert.Equal("alice", mech.AuthenticatedId);
    }

    [Fact]
    public void Login_with_the_username_as_initial_response_prompts_for_the_password()
    {
        var mech = Mechanisms(new FakeSecrets().Plain("alice", "pw")).Create("LOGIN", false)!;
        Assert.Equal("UGFzc3dvcmQ6", mech.Start(B64("alice")).Challenge);
        Assert.Equal(SaslServerStatus.Failure, mech.Respond(B64("nope")).Status);
    }

    [Fact]
    public void Plain_and_login_check_against_hashed_secrets_too()
    {
        var m = Mechanisms(new FakeSecrets().Hashed(HashKind.Md5, "alice", "pw"));
        Assert.Equal(SaslServerStatus.Success, m.Create("PLAIN", true)!.Start(B64("\0alice\0pw")).Status);
        Assert.Equal(SaslServerStatus.Failure, m.Create("PLAIN", true)!.Start(B64("\0alice\0pX")).Status);
    }

    [Fact]
    public void Cram_challenge_is_random_dot_unixtime_at_domain()
    {
        var mech = Mechanisms(new FakeSecrets().Plain("alice", "pw")).Create("CRAM-MD5", false)!;
        SaslServerStep step = mech.Start(null);
        string challenge = Encoding.ASCII.GetString(Convert.FromBase64String(step.Challenge));
        Assert.Matches(@"^<[0-9]+\.1700000000@relay\.example>$", challenge);
    }

    [Theory]
    [InlineData("Md5", false)]
    [InlineData("Sha1", false)]
    [InlineData("Sha256", false)]
    [InlineData("Sha512", false)]
    [InlineData("Md5", true)]
    [InlineData("Sha256", true)]
    [InlineData("Sha512", true)]
    public void Cram_succeeds_from_plain_or_hashed_secrets_and_fails_on_a_wrong_digest(string kindName, bool hashed)
    {
        HashKind kind = Enum.Parse<HashKind>(kindName);
        var secrets = hashed ? new FakeSecrets().Hashed(kind, "alice", "pw") : new FakeSecrets().Plain("alice", "pw");
        var m = Mechanisms(secrets);
        var mech = m.Create(SecretTypes.CramName(kind), false)!;
        byte[] challenge = Convert.FromBase64String(mech.Start(null).Challenge);
        string digest = Convert.ToHexStringLower(Hmac.Compute(kind, "pw"u8, challenge));
        Assert.Equal(SaslServerStatus.Success, mech.Respond(B64("alice " + digest)).Status);
        Assert.Equal("alice", mech.AuthenticatedId);
        Assert.Equal((hashed ? SecretTypes.NameOf(kind) : "plaintext") + " secret for [alice] from test", mech.SecretInfo());

        var wrong = m.Create(SecretTypes.CramName(kind), false)!;
        wrong.Start(null);
        Assert.Equal(SaslServerStatus.Failure, wrong.Respond(B64("alice " + new string('0', digest.Length))).Status);
        var unknown = m.Create(SecretTypes.CramName(kind), false)!;
        unknown.Start(null);
        Assert.Equal(SaslServerStatus.Failure, unknown.Respond(B64("bob " + digest)).Status);
    }

    [Fact]
    public void Cram_md5_matches_the_rfc_2195_example()
    {
        byte[] mac = Hmac.Compute(HashKind.Md5, "tanstaaftanstaaf"u8, "<1896.697170952@postoffice.reston.mci.net>"u8);
        Assert.Equal("b913a602c7eda7a495b4e6e7334d3890", Convert.ToHexStringLower(mac));
    }

    [Fact]
    public void Cram_refuses_an_initial_response()
    {
        var mech = Mechanisms(new FakeSecrets().Plain("alice", "pw")).Create("CRAM-MD5", false)!;
        Assert.Equal(SaslServerStatus.Malformed, mech.Start(B64("alice 00")).Status);
    }

    [Fact]
    public void Respond_after_the_end_is_a_driver_bug()
    {
        var mech = Mechanisms(new FakeSecrets().Plain("alice", "pw")).Create("PLAIN", false)!;
        mech.Start(B64("\0alice\0pw"));
        Assert.Throws<InvalidOperationException>(() => mech.Respond("x"));
    }

    [Fact]
    public void Apop_checks_md5_of_challenge_and_password()
    {
        var secrets = new FakeSecrets().Plain("mrose", "tanstaaf");
        // RFC 1939 §7 example.
        Assert.True(Apop.Check(secrets, "mrose", "<1896.697170952@dbc.mtview.ca.us>", "c4c9334bac560ecc979e58001b3e22fb"));
        Assert.False(Apop.Check(secrets, "mrose", "<1896.697170952@dbc.mtview.ca.us>", "c4c9334bac560ecc979e58001b3e22fc"));
        Assert.False(Apop.Check(secrets, "other", "<1896.697170952@dbc.mtview.ca.us>", "c4c9334bac560ecc979e58001b3e22fb"));
        Assert.Equal("c4c9334bac560ecc979e58001b3e22fb", Apop.Digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf"u8));
        Assert.True(Apop.IsAvailable(secrets));
        Assert.False(Apop.IsAvailable(new FakeSecrets().Hashed(HashKind.Md5, "a", "b")));
    }

    [Theory]
    [InlineData("PLAIN", false, "plaintext secret for [alice] from test")]
    [InlineData("LOGIN", false, "plaintext secret for [alice] from test")]
    [InlineData("PLAIN", true, "md5 secret for [alice] from test")]
    [InlineData("LOGIN", true, "md5 secret for [alice] from test")]
    public void A_password_mechanism_exposes_the_secret_it_matched_for_the_log_line(string name, bool hashed, string expected)
    {
        var secrets = hashed ? new FakeSecrets().Plain("bob", "x").Hashed(HashKind.Md5, "alice", "pw") : new FakeSecrets().Plain("alice", "pw");
        var mech = Mechanisms(secrets).Create(name, secure: true)!;
        Assert.Null(mech.MatchedSecret);
        SaslServerStep step = name == "PLAIN" ? mech.Start(B64("\0alice\0pw")) : mech.Start(B64("alice"));
        if (name == "LOGIN")
        {
            step = mech.Respond(B64("pw"));
        }

        Assert.Equal(SaslServerStatus.Success, step.Status);
        Assert.Equal("alice", mech.MatchedSecret!.Id);
        Assert.Equal(expected, mech.SecretInfo());
    }

    [Fact]
    public void A_failed_password_matches_no_secret_and_pam_says_pam()
    {
        var failed = Mechanisms(new FakeSecrets().Plain("alice", "pw")).Create("PLAIN", false)!;
        Assert.Equal(SaslServerStatus.Failure, failed.Start(B64("\0alice\0wrong")).Status);
        Assert.Null(failed.MatchedSecret);

        var pam = Mechanisms(new FakeSecrets { IsPam = true }.Plain("alice", "pw")).Create("PLAIN", false)!;
        Assert.Equal(SaslServerStatus.Success, pam.Start(B64("\0alice\0pw")).Status);
        Assert.Null(pam.MatchedSecret);
        Assert.Equal("pam secret for [alice] from pam", pam.SecretInfo());
    }
}
