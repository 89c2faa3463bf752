using EmailRelay.Auth.OAuth;
using EmailRelay.Protocol.Sasl;

namespace EmailRelay.Smtp.Client;

/// <summary>
/// Turns an account selector's client secrets into what the SMTP session can use: each <c>oauth-refresh</c>,
/// <c>oauth-client</c> or <c>oauth-command</c> secret becomes an <c>oauth</c> secret holding a current access token
/// from <see cref="OAuthTokens"/> (for XOAUTH2 or OAUTHBEARER, as the server offers); other secrets pass unchanged.
/// </summary>
internal static class ClientTokens
{
    /// <summary>Resolves <paramref name="secrets"/>; the tokens taken from the cache are noted on <paramref name="connection"/>.</summary>
    /// <exception cref="OAuthTokenException">A token could not be had: the message is deferred with this Reason.</exception>
    public static async Task<IReadOnlyList<Secret>> ResolveAsync(IReadOnlyList<Secret> secrets, OAuthTokens? tokens, SmtpClientConnection connection, CancellationToken cancellationToken)
    {
        if (!secrets.Any(static s => s.Grant is not null))
        {
            return secrets;
        }

        if (tokens is null)
        {
            throw new OAuthTokenException("oauth secrets but no token cache");
        }

        var resolved = new List<Secret>(secrets.Count);
        foreach (var secret in secrets)
        {
            if (secret.Grant is not { } grant)
            {
                resolved.Add(secret);
                continue;
            }

            var (token, fresh) = await tokens.GetAsync(grant, cancellationToken);
            if (!fresh)
            {
                connection.CachedTokens.Add((grant, token));
            }

            resolved.Add(new Secret(SecretTypes.OAuth, grant.User, System.Text.Encoding.UTF8.GetBytes(token), secret.Source));
        }

        return resolved;
    }
}
