namespace EmailRelay.Protocol.Sasl;

/// <summary>
/// Where a <c>client oauth-refresh</c>, <c>oauth-client</c> or <c>oauth-command</c> secret gets its access tokens
/// from. The client secret and refresh token are either given or read from a file when needed (so a rotated file
/// is picked up); they are never logged, and <see cref="ToString"/> leaves them out.
/// </summary>
/// <param name="Kind">The grant.</param>
/// <param name="User">The user the token is for (the id sent in XOAUTH2 and OAUTHBEARER).</param>
internal sealed record OAuthGrant(OAuthGrantKind Kind, string User)
{
    /// <summary>The token endpoint (<c>token-url=</c>), for the two grants.</summary>
    public string TokenUrl { get; init; } = "";

    /// <summary><c>client-id=</c>.</summary>
    public string ClientId { get; init; } = "";

    /// <summary><c>client-secret=</c>, or empty (a public client, or <see cref="ClientSecretFile"/>).</summary>
    public string ClientSecret { get; init; } = "";

    /// <summary><c>client-secret-file=</c>: a file whose first line is the client secret, or empty.</summary>
    public string ClientSecretFile { get; init; } = "";

    /// <summary><c>refresh-token=</c>, for <see cref="OAuthGrantKind.RefreshToken"/>.</summary>
    public string RefreshToken { get; init; } = "";

    /// <summary><c>refresh-token-file=</c>: a file whose first line is the refresh token, or empty.</summary>
    public string RefreshTokenFile { get; init; } = "";

    /// <summary><c>scope=</c>: space-separated scopes, or empty for the endpoint's default.</summary>
    public string Scope { get; init; } = "";

    /// <summary>For <see cref="OAuthGrantKind.Command"/>: the command line, run by the shell.</summary>
    public string Command { get; init; } = "";

    /// <summary>What identifies the token this grant yields, for the token cache (never logged: it holds no secret, but need not be shown).</summary>
    public string CacheKey => string.Join('\n', Kind.ToString(), User, TokenUrl, ClientId, Scope, Command);

    /// <summary>Which endpoint or command and which user, without any secret: for log lines and Reasons.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Kind == OAuthGrantKind.Command ? "token command for " + User : TokenUrl + " for " + User;
}
