namespace EmailRelay.Protocol.Sasl;

/// <summary>Names of secret types and the digests they map to.</summary>
internal static class SecretTypes
{
    /// <summary>A plain password.</summary>
    public const string Plain = "plain";

    /// <summary>An XOAUTH2 token (client only).</summary>
    public const string OAuth = "oauth";

    /// <summary>An access token from the refresh-token grant (client only).</summary>
    public const string OAuthRefresh = "oauth-refresh";

    /// <summary>An access token from the client-credentials grant (client only).</summary>
    public const string OAuthClient = "oauth-client";

    /// <summary>An access token printed by a command (client only).</summary>
    public const string OAuthCommand = "oauth-command";

    /// <summary>True for the types whose token is obtained when needed rather than written in the file.</summary>
    public static bool IsAcquired(string type) => type is OAuthRefresh or OAuthClient or OAuthCommand;

    /// <summary>The digest a hashed type stands for (<c>md5</c> and friends), or null.</summary>
    public static HashKind? HashOf(string type) => type switch
    {
        "md5" => HashKind.Md5,
        "sha1" => HashKind.Sha1,
        "sha256" => HashKind.Sha256,
        "sha512" => HashKind.Sha512,
        _ => null,
    };

    /// <summary>The secret type name for a digest: <c>md5</c>, <c>sha1</c>, <c>sha256</c>, <c>sha512</c>.</summary>
    public static string NameOf(HashKind kind) => kind switch
    {
        HashKind.Md5 => "md5",
        HashKind.Sha1 => "sha1",
        HashKind.Sha256 => "sha256",
        HashKind.Sha512 => "sha512",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The CRAM mechanism name for a digest, e.g. <c>CRAM-SHA256</c>.</summary>
    public static string CramName(HashKind kind) => "CRAM-" + NameOf(kind).ToUpperInvariant();

    /// <summary>The digest of a CRAM mechanism name (case-insensitive), or null.</summary>
    public static HashKind? CramHash(string mechanism) => mechanism.ToUpperInvariant() switch
    {
        "CRAM-MD5" => HashKind.Md5,
        "CRAM-SHA1" => HashKind.Sha1,
        "CRAM-SHA256" => HashKind.Sha256,
        "CRAM-SHA512" => HashKind.Sha512,
        _ => null,
    };

    /// <summary>
    /// True if <paramref name="password"/> matches <paramref name="secret"/>: equal for <c>plain</c>,
    /// or the same HMAC masked state for hashed secrets. Constant time in the secret's length.
    /// </summary>
    public static bool PasswordMatches(Secret secret, ReadOnlySpan<byte> password)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Type == Plain)
        {
            return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(secret.Value, password);
        }

        return secret.Hash is HashKind kind
            && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(secret.Value, Hmac.MaskedState(kind, password));
    }
}
