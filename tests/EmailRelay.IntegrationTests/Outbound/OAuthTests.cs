using System.Text;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;
using static EmailRelay.IntegrationTests.Forwarding.ForwardingTests;

namespace EmailRelay.IntegrationTests.Outbound;

/// <summary>
/// Black-box OAuth 2.0 client AUTH: the built executable (<c>--as-client --client-auth</c> with the new
/// <c>oauth-*</c> secrets-file lines, logging with <c>-v --debug</c>) against <see cref="OAuthUpstream"/>, a local
/// RFC 6749 token endpoint and an aiosmtpd server that accepts only the bearer tokens it issued.
/// </summary>
public sealed class OAuthTests
{
    private const string User = "alice@example.com";
    private const string ClientId = "relay-client";
    private const string ClientSecret = "csecret+x";
    private const string RefreshToken = "1//rtoken-secret";

    private sealed class Setup : IAsyncDisposable
    {
        private readonly TestDirectory _dir = new();

        private Setup(OAuthUpstream upstream, string spool)
        {
            Upstream = upstream;
            Spool = spool;
        }

        public OAuthUpstream Upstream { get; }

        public string Spool { get; }

        public string Dir => _dir.Path;

        public static async Task<Setup> StartAsync(string hide = "")
        {
            var dir = new TestDirectory();
            var up = Directory.CreateDirectory(Path.Combine(dir.Path, "up")).FullName;
            var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
            dir.Dispose();
            Directory.CreateDirectory(up);
            Directory.CreateDirectory(spool);
            var upstream = await OAuthUpstream.StartAsync(up, User, ClientId, ClientSecret, RefreshToken, hide);
            return new Setup(upstream, spool);
        }

        public string Secrets(string line)
        {
            var file = Path.Combine(Spool, "..", "client.auth");
            File.WriteAllText(file, "# oauth\n" + line + "\n");
            return Path.GetFullPath(file);
        }

        public async Task<(int Exit, string Log)> RunAsync(string secretsFile) =>
            await AsClientAsync(Path.GetDirectoryName(Spool)!, Spool, "127.0.0.1:" + Port(Upstream.Port), "--client-auth", secretsFile, "-v", "--debug");

        public async ValueTask DisposeAsync()
        {
            await Upstream.DisposeAsync();
            Directory.Delete(Path.GetDirectoryName(Spool)!, recursive: true);
        }
    }

    private static string Grant(OAuthUpstream upstream, string kind) => kind == "oauth-refresh"
        ? "client oauth-refresh " + User + " token-url=" + upstream.TokenUrl + ";client-id=" + ClientId + ";client-secret=csecret+2Bx;refresh-token=" + RefreshToken + ";scope=https://mail.google.com/"
        : "client oauth-client " + User + " token-url=" + upstream.TokenUrl + ";client-id=" + ClientId + ";client-secret=csecret+2Bx;scope=https://outlook.office365.com/.default";

    /// <summary>Asserts that no secret, token or AUTH response shows in <paramref name="log"/>.</summary>
    private static void AssertNoSecrets(string log, OAuthUpstream upstream, params string[] more)
    {
        foreach (var secret in new[] { ClientSecret, "csecret", RefreshToken, "rtoken" }.Concat(more).Concat(upstream.IssuedTokens))
        {
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        }

        foreach (var token in upstream.IssuedTokens.Concat(more))
        {
            var xoauth2 = Convert.ToBase64String(Encoding.UTF8.GetBytes("user=" + User + "\u0001auth=Bearer " + token + "\u0001\u0001"));
            var bearer = Convert.ToBase64String(Encoding.UTF8.GetBytes("n,a=" + User + ",\u0001auth=Bearer " + token + "\u0001\u0001"));
            Assert.DoesNotContain(xoauth2[..40], log, StringComparison.Ordinal);
            Assert.DoesNotContain(bearer[..40], log, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("oauth-refresh", "", "refresh_token", "XOAUTH2")]
    [InlineData("oauth-client", "XOAUTH2", "client_credentials", "OAUTHBEARER")]
    public async Task A_grant_gets_one_token_for_the_run_and_no_secret_reaches_the_log(string kind, string hide, string grantType, string mechanism)
    {
        await using var setup = await Setup.StartAsync(hide);
        for (var i = 0; i < 3; i++)
        {
            await SeedAsync(setup.Spool, Content("message " + i + "\r\n"), to: ["bob@example.net"]);
        }

        var (exit, log) = await setup.RunAsync(setup.Secrets(Grant(setup.Upstream, kind)));

        Assert.True(exit == 0, log + setup.Upstream.Output);
        await setup.Upstream.WaitForMessagesAsync(3, TimeSpan.FromSeconds(30));
        var request = Assert.Single(setup.Upstream.TokenRequests);
        Assert.Equal(grantType, request["grant_type"]);
        Assert.Equal(ClientSecret, request["client_secret"]);
        Assert.Equal([mechanism + " ok"], setup.Upstream.AuthAttempts);
        Assert.Empty(Directory.GetFiles(setup.Spool, "emailrelay.*"));
        Assert.Contains("oauth: new access token from " + setup.Upstream.TokenUrl + " for " + User + ", expires in 3600s", log, StringComparison.Ordinal);
        Assert.Contains("tx>>: \"AUTH " + mechanism + " [initial response not logged]\"", log, StringComparison.Ordinal);
        AssertNoSecrets(log, setup.Upstream);
    }

    [Fact]
    public async Task A_revoked_grant_leaves_deferred_messages_with_a_clear_reason_delivered_once_the_endpoint_recovers()
    {
        await using var setup = await Setup.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await SeedAsync(setup.Spool, Content("message " + i + "\r\n"), to: ["bob@example.net"]));
        }

        var secrets = setup.Secrets(Grant(setup.Upstream, "oauth-refresh"));
        setup.Upstream.SetRules("""{"error": "invalid_grant"}""");
        var (_, log) = await setup.RunAsync(secrets);

        const string Reason = ": invalid_grant: Token has been expired or revoked.";
        Assert.Equal(0, setup.Upstream.MessageCount);
        Assert.Single(setup.Upstream.TokenRequests);
        foreach (var id in ids)
        {
            var envelope = Path.Combine(setup.Spool, id + ".envelope");
            Assert.True(File.Exists(envelope), log);
            Assert.Contains("X-MailRelay-Reason: oauth token endpoint " + setup.Upstream.TokenUrl + Reason, await File.ReadAllTextAsync(envelope), StringComparison.Ordinal);

            // The retry time has come (the envelope's time is when it was deferred).
            File.SetLastWriteTimeUtc(envelope, File.GetLastWriteTimeUtc(envelope) - TimeSpan.FromHours(2));
        }

        Assert.Contains("deferring message [" + ids[0] + "]: oauth token endpoint " + setup.Upstream.TokenUrl + Reason, log, StringComparison.Ordinal);
        setup.Upstream.SetRules("{}");
        var (exit, second) = await setup.RunAsync(secrets);

        Assert.True(exit == 0, second);
        await setup.Upstream.WaitForMessagesAsync(3, TimeSpan.FromSeconds(30));
        Assert.Empty(Directory.GetFiles(setup.Spool, "emailrelay.*"));
        AssertNoSecrets(log + second, setup.Upstream);
    }

    [Fact]
    public async Task An_unreachable_endpoint_defers_with_the_reason()
    {
        await using var setup = await Setup.StartAsync();
        var id = await SeedAsync(setup.Spool, Content("message\r\n"), to: ["bob@example.net"]);
        var closed = "http://127.0.0.1:" + Port(FreePort.Get()) + "/token";
        var secrets = setup.Secrets("client oauth-client " + User + " token-url=" + closed + ";client-id=" + ClientId + ";client-secret=csecret+2Bx");

        var (_, log) = await setup.RunAsync(secrets);

        var envelope = await File.ReadAllTextAsync(Path.Combine(setup.Spool, id + ".envelope"));
        Assert.Contains("X-MailRelay-Reason: oauth token endpoint " + closed + " unreachable: Connection refused", envelope, StringComparison.Ordinal);
        AssertNoSecrets(log, setup.Upstream);
    }

    [Fact]
    public async Task A_token_command_gives_the_token()
    {
        await using var setup = await Setup.StartAsync();
        const string Token = "cmd-token-4b1d";
        setup.Upstream.SetRules("""{"accept": ["cmd-token-4b1d"]}""");
        await SeedAsync(setup.Spool, Content("message\r\n"), to: ["bob@example.net"]);
        var secrets = setup.Secrets("client oauth-command " + User + " printf+20'%s\\n'+20cmd-token-4b1d");

        var (exit, log) = await setup.RunAsync(secrets);

        Assert.True(exit == 0, log + setup.Upstream.Output);
        await setup.Upstream.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30));
        Assert.Equal(["XOAUTH2 ok"], setup.Upstream.AuthAttempts);
        Assert.Empty(setup.Upstream.TokenRequests);
        AssertNoSecrets(log, setup.Upstream, Token);
    }
}
