using EmailRelay.Protocol.Sasl;
using EmailRelay.Protocol.Text;

namespace EmailRelay.Auth.OAuth;

/// <summary>
/// Reads the fourth field of a <c>client oauth-refresh</c>, <c>oauth-client</c> or <c>oauth-command</c> line (README
/// "Outbound: OAuth 2.0"). For the two grants it is a <c>;</c>-separated list of <c>name=value</c> items, each value
/// xtext (so <c>+3B</c> is a <c>;</c> and <c>+20</c> a space): <c>token-url</c> (or <c>google</c>,
/// <c>microsoft</c>, <c>microsoft:&lt;tenant&gt;</c>), <c>client-id</c>, <c>client-secret</c> or
/// <c>client-secret-file</c>, <c>refresh-token</c> or <c>refresh-token-file</c>, <c>scope</c>. For the command it is
/// the command line, xtext. Errors are the parser's error texts (<see cref="FormatException"/>).
/// </summary>
internal static class OAuthGrantParser
{
    /// <summary>Google's token endpoint.</summary>
    public const string GoogleTokenUrl = "https://oauth2.googleapis.com/token";

    /// <summary>Microsoft's token endpoint for a tenant (<c>common</c>, <c>organizations</c>, a domain or an id).</summary>
    public static string MicrosoftTokenUrl(string tenant) => "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token";

    /// <summary>Parses <paramref name="field"/> for a secret of <paramref name="type"/>; relative files are taken as given.</summary>
    /// <exception cref="FormatException">The field is not usable; the message says why.</exception>
    public static OAuthGrant Parse(string type, string user, string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (type == SecretTypes.OAuthCommand)
        {
            if (!Xtext.TryDecode(field, out var command) || command.Trim().Length == 0)
            {
                throw new FormatException("invalid oauth token command");
            }

            return new OAuthGrant(OAuthGrantKind.Command, user) { Command = command };
        }

        var kind = type == SecretTypes.OAuthRefresh ? OAuthGrantKind.RefreshToken : OAuthGrantKind.ClientCredentials;
        var grant = new OAuthGrant(kind, user);
        foreach (var item in field.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            var name = (equals < 0 ? item : item[..equals]).ToLowerInvariant();
            var raw = equals < 0 ? "" : item[(equals + 1)..];
            if (!Xtext.TryDecode(raw.Replace("=", "+3D", StringComparison.Ordinal), out var value))
            {
                throw new FormatException("invalid xtext encoding in oauth item \"" + name + "\"");
            }

            grant = name switch
            {
                "token-url" or "url" => grant with { TokenUrl = TokenUrl(value) },
                "client-id" or "id" => grant with { ClientId = value },
                "client-secret" or "secret" => grant with { ClientSecret = value },
                "client-secret-file" or "secret-file" => grant with { ClientSecretFile = value },
                "refresh-token" => grant with { RefreshToken = value },
                "refresh-token-file" => grant with { RefreshTokenFile = value },
                "scope" => grant with { Scope = value },
                _ => throw new FormatException("unknown oauth item \"" + name + "\""),
            };
        }

        if (!Uri.TryCreate(grant.TokenUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new FormatException("oauth token-url missing or not an http(s) url");
        }

        if (grant.ClientId.Length == 0)
        {
            throw new FormatException("oauth client-id missing");
        }

        if (grant.ClientSecret.Length > 0 && grant.ClientSecretFile.Length > 0)
        {
            throw new FormatException("oauth client-secret and client-secret-file both given");
        }

        if (kind == OAuthGrantKind.ClientCredentials && grant.ClientSecret.Length == 0 && grant.ClientSecretFile.Length == 0)
        {
            throw new FormatException("oauth client-secret or client-secret-file missing");
        }

        if (kind == OAuthGrantKind.RefreshToken && (grant.RefreshToken.Length > 0) == (grant.RefreshTokenFile.Length > 0))
        {
            throw new FormatException("oauth needs one of refresh-token and refresh-token-file");
        }

        if (kind == OAuthGrantKind.ClientCredentials && (grant.RefreshToken.Length > 0 || grant.RefreshTokenFile.Length > 0))
        {
            throw new FormatException("oauth refresh-token is for oauth-refresh lines");
        }

        return grant;
    }

    private static string TokenUrl(string value) => value.ToLowerInvariant() switch
    {
        "google" => GoogleTokenUrl,
        "microsoft" => MicrosoftTokenUrl("common"),
        _ when value.StartsWith("microsoft:", StringComparison.OrdinalIgnoreCase) => MicrosoftTokenUrl(value["microsoft:".Length..]),
        _ => value,
    };
}
