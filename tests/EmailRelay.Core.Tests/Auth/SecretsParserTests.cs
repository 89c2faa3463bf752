using System.Net;
using System.Text;
using EmailRelay.Auth;
using EmailRelay.Protocol.Sasl;

namespace EmailRelay.Core.Tests.Auth;

public class SecretsParserTests
{
    private static SecretsTable Parse(string text, List<string>? warnings = null) => SecretsParser.Parse(text, "/etc/secrets", warnings);

    [Fact]
    public void Every_server_line_type_is_read()
    {
        string md5 = Convert.ToBase64String(Hmac.MaskedState(HashKind.Md5, "secret"u8));
        string sha256 = Convert.ToBase64String(Hmac.MaskedState(HashKind.Sha256, "secret"u8));
        var table = Parse($"""
            # a comment

            server plain alice my+20password
            SERVER PLAIN:B {B64("bob")} {B64("pw")}
            server md5 carol {md5}
            server cram-md5 dave {md5}
            server apop erin {md5}
            server login frank e+3Dmc2
            server sha256 gina {sha256}
            server none 127.0.0.0/8 localhost # trusted
            server none 192.168.0.* lan
            """);
        Assert.Equal("my password", Encoding.UTF8.GetString(table.FindServerSecret("plain", "alice")!.Value));
        Assert.Equal("pw", Encoding.UTF8.GetString(table.FindServerSecret("plain", "bob")!.Value));
        Assert.Equal("e=mc2", Encoding.UTF8.GetString(table.FindServerSecret("plain", "frank")!.Value));
        Assert.True(table.CheckPassword("carol", "secret"u8));
        Assert.True(table.CheckPassword("dave", "secret"u8));
        Assert.True(table.CheckPassword("erin", "secret"u8));
        Assert.True(table.CheckPassword("gina", "secret"u8));
        Assert.False(table.CheckPassword("gina", "Secret"u8));
        Assert.Equal(["plain", "md5", "sha256"], table.ServerSecretTypes);
        Assert.Equal(new TrustedPeer("localhost", "127.0.0.0/8", 10), table.FindTrusted(IPAddress.Parse("127.0.0.1")));
        Assert.Equal("lan", table.FindTrusted(IPAddress.Parse("192.168.0.4"))!.Keyword);
        Assert.Null(table.FindTrusted(IPAddress.Parse("8.8.8.8")));
        Assert.False(table.HasClientSecrets);
    }

    [Fact]
    public void The_old_dotted_md5_form_is_the_state_words()
    {
        byte[] state = Hmac.MaskedState(HashKind.Md5, "password123"u8);
        string dotted = string.Join('.', Enumerable.Range(0, 8).Select(i => BitConverter.ToUInt32(state, i * 4)));
        var table = Parse("server md5 alice " + dotted);
        Assert.True(table.CheckPassword("alice", "password123"u8));
    }

    [Fact]
    public void Client_lines_with_selectors_oauth_and_the_no_auth_selector()
    {
        var table = Parse($"""
            client plain alice pw
            client oauth alice@example.com tok+3D
            client plain:b {B64("bob")} {B64("bobpw")} work
            client plain:b = = none
            """);
        var defaults = table.FindClientSecrets("")!;
        Assert.Equal(["plain", "oauth"], defaults.Select(s => s.Type));
        Assert.Equal("tok=", Encoding.UTF8.GetString(defaults[1].Value));
        Assert.Equal("bob", Assert.Single(table.FindClientSecrets("work")!).Id);
        Assert.True(Assert.Single(table.FindClientSecrets("none")!).IsNoAuth);
        Assert.Null(table.FindClientSecrets("nosuch"));
        Assert.False(table.HasServerSecrets);
    }

    [Fact]
    public void A_fifth_field_comment_is_fine_and_a_sixth_field_warns()
    {
        var warnings = new List<string>();
        Parse("server plain a b #comment more words\nclient plain c d sel extra\n", warnings);
        Assert.Equal(["secrets file error: /etc/secrets: line 2: too many fields"], warnings);
    }

    [Theory]
    [InlineData("server plain alice", "line 1: too few fields")]
    [InlineData("serve plain alice pw", "line 1: invalid first field")]
    [InlineData("server plain alice pw\nserver plain alice other", "line 2: duplicate server secret")]
    [InlineData("server rot13 alice pw", "line 1: invalid secret type")]
    [InlineData("server md5 alice notbase64!", "line 1: invalid base64 encoding")]
    [InlineData("server md5 alice YWJj", "line 1: invalid md5 secret: wrong length")]
    [InlineData("server md5 alice 1.2.3", "line 1: invalid dotted md5 secret")]
    [InlineData("server plain al+4 pw", "line 1: invalid xtext encoding")]
    [InlineData("server plain:b !!!! pw", "line 1: invalid base64 encoding")]
    [InlineData("server none 1.2.3.4/40 kw", "line 1: invalid ip address wildcard")]
    [InlineData("server oauth alice tok", "line 1: oauth secrets are for clients only")]
    [InlineData("client none 1.2.3.4 kw", "line 1: invalid client secret type")]
    [InlineData("client plain a b\nclient login c d", "line 2: duplicate client secret")]
    public void Errors_name_the_file_and_line(string text, string expected)
    {
        var ex = Assert.Throws<SecretsFileException>(() => Parse(text));
        Assert.StartsWith("secrets file error: /etc/secrets: " + expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Client_auth_plain_gives_one_default_client_secret()
    {
        var store = SecretStores.OpenClient("plain:" + B64("me") + ":" + B64("my pw"), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Secret secret = Assert.Single(store.FindClientSecrets("")!);
        Assert.Equal("me", secret.Id);
        Assert.Equal("my pw", Encoding.UTF8.GetString(secret.Value));
        Assert.Throws<SecretsFileException>(() => SecretStores.OpenClient("plain:abc", TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
}
