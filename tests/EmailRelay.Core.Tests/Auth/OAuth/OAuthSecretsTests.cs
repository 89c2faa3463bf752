using EmailRelay.Auth;
using EmailRelay.Auth.OAuth;
using EmailRelay.Protocol.Sasl;

namespace EmailRelay.Core.Tests.Auth.OAuth;

/// <summary>The <c>client oauth-refresh</c>, <c>oauth-client</c> and <c>oauth-command</c> secrets-file lines.</summary>
public class OAuthSecretsTests
{
    private static SecretsTable Parse(string text) => SecretsParser.Parse(text, "/etc/secrets");

    private static string Error(string line) => Assert.Throws<SecretsFileException>(() => Parse(line)).Message;

    [Fact]
    public void The_three_kinds_parse_with_their_items_decoded()
    {
        var table = Parse("""
            # Gmail, delegated
            client oauth-refresh alice@gmail.com token-url=google;client-id=123.apps;client-secret=GOCSPX+2Dx+2By;refresh-token=1//0abc;scope=https://mail.google.com/ gmail
            client oauth-client relay@contoso.com token-url=microsoft:contoso.onmicrosoft.com;client-id=abcd;client-secret-file=/etc/emailrelay/m365.secret;scope=https://outlook.office365.com/.default m365
            client oauth-command bob@example.com /usr/local/bin/get-token+20--user+20bob cmd
            client oauth carol@example.com static-token
            """);

        var gmail = Assert.Single(table.FindClientSecrets("gmail")!).Grant!;
        Assert.Equal(OAuthGrantKind.RefreshToken, gmail.Kind);
        Assert.Equal("alice@gmail.com", gmail.User);
        Assert.Equal(OAuthGrantParser.GoogleTokenUrl, gmail.TokenUrl);
        Assert.Equal("GOCSPX-x+y", gmail.ClientSecret);
        Assert.Equal("1//0abc", gmail.RefreshToken);
        Assert.Equal("https://mail.google.com/", gmail.Scope);

        var m365 = Assert.Single(table.FindClientSecrets("m365")!).Grant!;
        Assert.Equal(OAuthGrantKind.ClientCredentials, m365.Kind);
        Assert.Equal("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token", m365.TokenUrl);
        Assert.Equal("/etc/emailrelay/m365.secret", m365.ClientSecretFile);
        Assert.Equal("", m365.ClientSecret);

        var command = Assert.Single(table.FindClientSecrets("cmd")!);
        Assert.Equal(SecretTypes.OAuthCommand, command.Type);
        Assert.Equal("/usr/local/bin/get-token --user bob", command.Grant!.Command);
        Assert.Empty(command.Value);

        var carol = Assert.Single(table.FindClientSecrets("")!);
        Assert.Equal(SecretTypes.OAuth, carol.Type);
        Assert.Null(carol.Grant);
    }

    [Fact]
    public void No_secret_shows_in_the_text_of_a_grant_or_a_secret()
    {
        var secret = Assert.Single(Parse("client oauth-refresh alice token-url=https://t.example/token;client-id=cid;client-secret=SECRET1;refresh-token=SECRET2\n").FindClientSecrets("")!);
        Assert.DoesNotContain("SECRET", secret.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", secret.Grant!.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", secret.Grant.CacheKey, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("server oauth-refresh alice token-url=google;client-id=c;refresh-token=r", "oauth secrets are for clients only")]
    [InlineData("client oauth-refresh alice client-id=c;refresh-token=r", "oauth token-url missing or not an http(s) url")]
    [InlineData("client oauth-refresh alice token-url=ftp://x/;client-id=c;refresh-token=r", "oauth token-url missing or not an http(s) url")]
    [InlineData("client oauth-refresh alice token-url=google;refresh-token=r", "oauth client-id missing")]
    [InlineData("client oauth-refresh alice token-url=google;client-id=c", "oauth needs one of refresh-token and refresh-token-file")]
    [InlineData("client oauth-refresh alice token-url=google;client-id=c;refresh-token=r;refresh-token-file=/f", "oauth needs one of refresh-token and refresh-token-file")]
    [InlineData("client oauth-client alice token-url=google;client-id=c", "oauth client-secret or client-secret-file missing")]
    [InlineData("client oauth-client alice token-url=google;client-id=c;client-secret=s;client-secret-file=/f", "oauth client-secret and client-secret-file both given")]
    [InlineData("client oauth-client alice token-url=google;client-id=c;client-secret=s;refresh-token=r", "oauth refresh-token is for oauth-refresh lines")]
    [InlineData("client oauth-client alice token-url=google;client-id=c;colour=blue", "unknown oauth item \"colour\"")]
    [InlineData("client oauth-client alice token-url=google;client-id=c;client-secret=a+zz", "invalid xtext encoding in oauth item \"client-secret\"")]
    [InlineData("client oauth-command alice +20", "invalid oauth token command")]
    public void A_bad_line_is_an_error_naming_the_line(string line, string what) =>
        Assert.Equal("secrets file error: /etc/secrets: line 1: " + what, Error(line));

    [Fact]
    public void The_client_picks_xoauth2_then_oauthbearer_for_a_token()
    {
        var token = new Secret(SecretTypes.OAuth, "alice", "t"u8.ToArray(), "line 1");
        Assert.Equal("XOAUTH2", SaslClientMechanisms.Choose(["PLAIN", "OAUTHBEARER", "XOAUTH2"], [token], SaslConfig.Empty, true, [])!.Mechanism);
        Assert.Equal("OAUTHBEARER", SaslClientMechanisms.Choose(["PLAIN", "OAUTHBEARER"], [token], SaslConfig.Empty, true, [])!.Mechanism);
        Assert.Null(SaslClientMechanisms.Choose(["PLAIN", "LOGIN"], [token], SaslConfig.Empty, true, []));
    }

    [Theory]
    [InlineData("alice@example.com", "n,a=alice@example.com,\u0001auth=Bearer tok\u0001\u0001")]
    [InlineData("a=b,c", "n,a=a=3Db=2Cc,\u0001auth=Bearer tok\u0001\u0001")]
    public void Oauthbearer_sends_the_rfc_7628_initial_response(string user, string expected)
    {
        var exchange = new SaslClientExchange("OAUTHBEARER", new Secret(SecretTypes.OAuth, user, "tok"u8.ToArray(), "line 1"));
        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(exchange.InitialResponse!)));

        // The error challenge (a JSON status) is answered with a single 0x01, after which the server fails it.
        Assert.Equal("AQ==", exchange.Respond(Convert.ToBase64String("{\"status\":\"401\"}"u8)));
    }
}
