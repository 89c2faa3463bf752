using System.Net;
using EmailRelay.Auth.OAuth;
using EmailRelay.Protocol.Sasl;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Auth.OAuth;

/// <summary>The token endpoint client (RFC 6749 requests and responses) and the token cache, over an in-memory endpoint and a fake clock.</summary>
public class OAuthTokensTests
{
    private static readonly OAuthGrant s_refresh = new(OAuthGrantKind.RefreshToken, "alice@gmail.com")
    {
        TokenUrl = "https://oauth2.example/token", ClientId = "cid", ClientSecret = "csecret", RefreshToken = "rtoken", Scope = "https://mail.google.com/",
    };

    private static readonly OAuthGrant s_client = new(OAuthGrantKind.ClientCredentials, "relay@contoso.com")
    {
        TokenUrl = "https://login.example/t/oauth2/v2.0/token", ClientId = "app", ClientSecret = "s3cret", Scope = "https://outlook.office365.com/.default",
    };

    private static (OAuthTokens Tokens, FakeTokenEndpoint Endpoint, FakeTimeProvider Time) Create()
    {
        var endpoint = new FakeTokenEndpoint();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 8, 4, 0, 0, TimeSpan.Zero));
        var tokens = new OAuthTokens(new OAuthTokenSource(endpoint.Client(), time, TimeSpan.FromSeconds(10)), time, NullLogger.Instance);
        return (tokens, endpoint, time);
    }

    [Fact]
    public async Task The_refresh_token_grant_posts_rfc_6749_section_6()
    {
        var (tokens, endpoint, _) = Create();
        Assert.Equal(("tok-1", true), await tokens.GetAsync(s_refresh, CancellationToken.None));
        var form = Assert.Single(endpoint.Requests);
        Assert.Equal(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = "rtoken", ["client_id"] = "cid", ["client_secret"] = "csecret", ["scope"] = "https://mail.google.com/",
        }, form);
    }

    [Fact]
    public async Task The_client_credentials_grant_posts_rfc_6749_section_4_4()
    {
        var (tokens, endpoint, _) = Create();
        await tokens.GetAsync(s_client, CancellationToken.None);
        Assert.Equal(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "app", ["client_secret"] = "s3cret", ["scope"] = "https://outlook.office365.com/.default",
        }, Assert.Single(endpoint.Requests));
    }

    [Fact]
    public async Task A_token_is_cached_until_shortly_before_it_expires_then_refreshed_once()
    {
        var (tokens, endpoint, time) = Create();
        endpoint.Lifetime = 600;
        Assert.Equal(("tok-1", true), await tokens.GetAsync(s_refresh, CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(539));
        Assert.Equal(("tok-1", false), await tokens.GetAsync(s_refresh, CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(1));

        // Ten askers at once after the refresh time: one request, one new token for all.
        var all = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => tokens.GetAsync(s_refresh, CancellationToken.None))));
        Assert.All(all, a => Assert.Equal("tok-2", a.Token));
        Assert.Single(all, a => a.Fresh);
        Assert.Equal(2, endpoint.Requests.Count);
        Assert.Equal(2, tokens.Acquisitions(s_refresh));
    }

    [Fact]
    public async Task A_refused_token_is_dropped_once_however_many_connections_report_it()
    {
        var (tokens, endpoint, _) = Create();
        await tokens.GetAsync(s_refresh, CancellationToken.None);
        await tokens.InvalidateAsync(s_refresh, "tok-1", CancellationToken.None);
        Assert.Equal(("tok-2", true), await tokens.GetAsync(s_refresh, CancellationToken.None));

        // A second connection that had used tok-1 reports it late: tok-2 stays.
        await tokens.InvalidateAsync(s_refresh, "tok-1", CancellationToken.None);
        Assert.Equal(("tok-2", false), await tokens.GetAsync(s_refresh, CancellationToken.None));
        Assert.Equal(2, endpoint.Requests.Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "{\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or revoked.\"}",
        "oauth token endpoint https://oauth2.example/token: invalid_grant: Token has been expired or revoked.")]
    [InlineData(HttpStatusCode.Unauthorized, "{\"error\":\"invalid_client\"}", "oauth token endpoint https://oauth2.example/token: invalid_client")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "<html>down</html>", "oauth token endpoint https://oauth2.example/token: http status 503, not a json token response")]
    [InlineData(HttpStatusCode.OK, "{\"token_type\":\"Bearer\"}", "oauth token endpoint https://oauth2.example/token: http status 200, no access_token")]
    public async Task An_error_response_is_a_clear_reason_remembered_for_a_while(HttpStatusCode status, string body, string reason)
    {
        var (tokens, endpoint, time) = Create();
        endpoint.Respond = (status, body);
        Assert.Equal(reason, (await Assert.ThrowsAsync<OAuthTokenException>(() => tokens.GetAsync(s_refresh, CancellationToken.None))).Message);
        Assert.Equal(reason, (await Assert.ThrowsAsync<OAuthTokenException>(() => tokens.GetAsync(s_refresh, CancellationToken.None))).Message);
        Assert.Single(endpoint.Requests);

        // Recovered, and the hold over: asked again.
        endpoint.Respond = null;
        time.Advance(OAuthTokens.FailureHold);
        Assert.Equal(("tok-1", true), await tokens.GetAsync(s_refresh, CancellationToken.None));
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_a_clear_reason()
    {
        var (tokens, endpoint, _) = Create();
        endpoint.Down = true;
        var ex = await Assert.ThrowsAsync<OAuthTokenException>(() => tokens.GetAsync(s_client, CancellationToken.None));
        Assert.Equal("oauth token endpoint https://login.example/t/oauth2/v2.0/token unreachable: Connection refused (127.0.0.1:9)", ex.Message);
    }

    [Fact]
    public async Task A_rotated_refresh_token_is_used_for_the_next_refresh()
    {
        var (tokens, endpoint, time) = Create();
        endpoint.Respond = (HttpStatusCode.OK, "{\"access_token\":\"a1\",\"expires_in\":\"100\",\"refresh_token\":\"rotated\"}");
        await tokens.GetAsync(s_refresh, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(100));
        await tokens.GetAsync(s_refresh, CancellationToken.None);
        Assert.Equal(["rtoken", "rotated"], endpoint.Requests.Select(r => r["refresh_token"]));
    }

    [Fact]
    public async Task Secrets_come_from_their_files_when_asked_for()
    {
        using var dir = new TestDirectory();
        var secretFile = Path.Combine(dir.Path, "secret");
        var refreshFile = Path.Combine(dir.Path, "refresh");
        await File.WriteAllTextAsync(secretFile, "from-file\n");
        await File.WriteAllTextAsync(refreshFile, "refresh-from-file\n");
        var (tokens, endpoint, _) = Create();
        var grant = s_refresh with { ClientSecret = "", ClientSecretFile = secretFile, RefreshToken = "", RefreshTokenFile = refreshFile };
        await tokens.GetAsync(grant, CancellationToken.None);
        Assert.Equal("from-file", endpoint.Requests[0]["client_secret"]);
        Assert.Equal("refresh-from-file", endpoint.Requests[0]["refresh_token"]);

        var missing = grant with { User = "other", ClientSecretFile = Path.Combine(dir.Path, "nope") };
        var ex = await Assert.ThrowsAsync<OAuthTokenException>(() => tokens.GetAsync(missing, CancellationToken.None));
        Assert.StartsWith("cannot read oauth client-secret-file: " + Path.Combine(dir.Path, "nope"), ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_token_command_prints_the_token_and_optionally_its_lifetime()
    {
        Skip.If(OperatingSystem.IsWindows(), "the unix shell form of the token command");

        var time = new FakeTimeProvider();
        var tokens = new OAuthTokens(new OAuthTokenSource(new HttpClient(), TimeProvider.System, TimeSpan.FromSeconds(30)), time, NullLogger.Instance);
        var grant = new OAuthGrant(OAuthGrantKind.Command, "bob") { Command = "printf 'tok-%s\\n120\\n' \"$((6*7))\"" };
        Assert.Equal(("tok-42", true), await tokens.GetAsync(grant, CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(107));
        Assert.Equal(("tok-42", false), await tokens.GetAsync(grant, CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await tokens.GetAsync(grant, CancellationToken.None)).Fresh);

        var failing = new OAuthGrant(OAuthGrantKind.Command, "carol") { Command = "exit 3" };
        Assert.Equal("oauth token command for carol failed: exit 3", (await Assert.ThrowsAsync<OAuthTokenException>(() => tokens.GetAsync(failing, CancellationToken.None))).Message);
        var silent = new OAuthGrant(OAuthGrantKind.Command, "dave") { Command = "true" };
        Assert.Equal("oauth token command for dave printed no token", (await Assert.ThrowsAsync<OAuthTokenException>(() => tokens.GetAsync(silent, CancellationToken.None))).Message);

        // A Microsoft 365 token is about 2 KB: more than a filter's 1024 bytes of output.
        var big = new OAuthGrant(OAuthGrantKind.Command, "erin") { Command = "head -c 3000 /dev/zero | tr '\\0' x" };
        Assert.Equal(3000, (await tokens.GetAsync(big, CancellationToken.None)).Token.Length);
    }
}
