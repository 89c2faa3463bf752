using System.Text;
using EmailRelay.Protocol.Sasl;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Protocol.Tests.Sasl;

public class SaslClientMechanismsTests
{
    private static Secret Plain(string id, string pw) => new(SecretTypes.Plain, id, Encoding.UTF8.GetBytes(pw), "t");

    [Fact]
    public void Chooses_the_strongest_cram_first_then_falls_back_past_tried_ones()
    {
        Secret[] secrets = [Plain("alice", "pw")];
        string[] offered = ["PLAIN", "LOGIN", "CRAM-MD5", "CRAM-SHA256"];
        Assert.Equal("CRAM-SHA256", SaslClientMechanisms.Choose(offered, secrets, SaslConfig.Empty, false, [])!.Mechanism);
        Assert.Equal("CRAM-MD5", SaslClientMechanisms.Choose(offered, secrets, SaslConfig.Empty, false, ["CRAM-SHA256"])!.Mechanism);
        Assert.Null(SaslClientMechanisms.Choose(offered, secrets, SaslConfig.Empty, false, ["CRAM-SHA256", "CRAM-MD5", "PLAIN", "LOGIN"]));
    }

    [Fact]
    public void Client_auth_config_m_is_an_ordered_preference()
    {
        Secret[] secrets = [Plain("alice", "pw")];
        string[] offered = ["PLAIN", "LOGIN", "CRAM-MD5"];
        Assert.Equal("LOGIN", SaslClientMechanisms.Choose(offered, secrets, SaslConfig.Parse("m:login,plain"), false, [])!.Mechanism);
        Assert.Equal("PLAIN", SaslClientMechanisms.Choose(offered, secrets, SaslConfig.Parse("x:cram-md5"), false, [])!.Mechanism);
    }

    [Fact]
    public void A_hashed_secret_only_does_its_own_cram_and_oauth_only_xoauth2()
    {
        var md5 = new Secret("md5", "alice", Hmac.MaskedState(HashKind.Md5, "pw"u8), "t");
        Assert.Null(SaslClientMechanisms.Choose(["PLAIN", "CRAM-SHA1"], [md5], SaslConfig.Empty, false, []));
        Assert.Equal("CRAM-MD5", SaslClientMechanisms.Choose(["PLAIN", "CRAM-MD5"], [md5], SaslConfig.Empty, false, [])!.Mechanism);
        var oauth = new Secret("oauth", "alice@example.com", "tok"u8.ToArray(), "t");
        var x = SaslClientMechanisms.Choose(["PLAIN", "XOAUTH2"], [oauth], SaslConfig.Empty, false, [])!;
        Assert.Equal("XOAUTH2", x.Mechanism);
        Assert.Equal("user=alice@example.com\u0001auth=Bearer tok\u0001\u0001", Encoding.UTF8.GetString(Convert.FromBase64String(x.InitialResponse!)));
    }

    [Theory]
    [InlineData("PLAIN", false)]
    [InlineData("LOGIN", false)]
    [InlineData("CRAM-MD5", false)]
    [InlineData("CRAM-SHA1", false)]
    [InlineData("CRAM-SHA256", false)]
    [InlineData("CRAM-SHA512", false)]
    [InlineData("CRAM-MD5", true)]
    [InlineData("CRAM-SHA512", true)]
    public void Client_exchanges_authenticate_against_the_server_mechanisms(string mechanism, bool hashedClientSecret)
    {
        var server = new SaslServerMechanisms(new FakeSecrets().Plain("alice", "p w+"), SaslConfig.Empty, new Random(1), new FakeTimeProvider(), "d");
        Secret secret = Plain("alice", "p w+");
        if (hashedClientSecret)
        {
            HashKind kind = SecretTypes.CramHash(mechanism)!.Value;
            secret = new Secret(SecretTypes.NameOf(kind), "alice", Hmac.MaskedState(kind, "p w+"u8), "t");
        }

        var client = new SaslClientExchange(mechanism, secret);
        var mech = server.Create(mechanism, false)!;
        SaslServerStep step = mech.Start(client.InitialResponse);
        for (int i = 0; i < 3 && step.Status == SaslServerStatus.Challenge; i++)
        {
            step = mech.Respond(client.Respond(step.Challenge));
        }

        Assert.Equal(SaslServerStatus.Success, step.Status);
        Assert.Equal("alice", mech.AuthenticatedId);
    }
}
