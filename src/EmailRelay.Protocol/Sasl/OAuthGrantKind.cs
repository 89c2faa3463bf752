namespace EmailRelay.Protocol.Sasl;

/// <summary>How an OAuth 2.0 access token for client AUTH is obtained (a <c>client oauth-*</c> secrets-file line).</summary>
internal enum OAuthGrantKind
{
    /// <summary><c>oauth-refresh</c>: the refresh-token grant (RFC 6749 §6): Gmail, Microsoft 365 delegated.</summary>
    RefreshToken,

    /// <summary><c>oauth-client</c>: the client-credentials grant (RFC 6749 §4.4): Microsoft 365 app-only SMTP.</summary>
    ClientCredentials,

    /// <summary><c>oauth-command</c>: a program whose standard output is the token (as msmtp's <c>passwordeval</c>).</summary>
    Command,
}
