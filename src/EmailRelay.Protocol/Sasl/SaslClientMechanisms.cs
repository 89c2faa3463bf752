namespace EmailRelay.Protocol.Sasl;

/// <summary>
/// Client mechanism choice (reference §d, client side): the first mechanism in our preference order
/// (<c>--client-auth-config m:</c>, else CRAM-SHA512, CRAM-SHA256, CRAM-SHA1, CRAM-MD5, PLAIN, LOGIN,
/// XOAUTH2, OAUTHBEARER) that the server advertises and a secret can do, skipping those already tried.
/// </summary>
internal static class SaslClientMechanisms
{
    /// <summary>The default preference order.</summary>
    public static IReadOnlyList<string> DefaultOrder { get; } =
        ["CRAM-SHA512", "CRAM-SHA256", "CRAM-SHA1", "CRAM-MD5", "PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER"];

    /// <summary>True if <paramref name="secret"/> can do <paramref name="mechanism"/>.</summary>
    public static bool CanDo(Secret secret, string mechanism)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(mechanism);
        if (secret.IsNoAuth)
        {
            return false;
        }

        string upper = mechanism.ToUpperInvariant();
        return secret.Type switch
        {
            SecretTypes.Plain => upper is "PLAIN" or "LOGIN" || SecretTypes.CramHash(upper) is not null,
            SecretTypes.OAuth => upper is "XOAUTH2" or "OAUTHBEARER",
            _ => SecretTypes.CramHash(upper) is HashKind kind && kind == secret.Hash,
        };
    }

    /// <summary>
    /// Chooses the next exchange, or null if none is possible: no secret suits any advertised mechanism
    /// not yet in <paramref name="tried"/>.
    /// </summary>
    public static SaslClientExchange? Choose(IEnumerable<string> serverMechanisms, IReadOnlyList<Secret> secrets, SaslConfig config, bool secure, IReadOnlyCollection<string> tried)
    {
        ArgumentNullException.ThrowIfNull(serverMechanisms);
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tried);
        var offered = serverMechanisms.Select(static m => m.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);
        foreach (string mech in config.Apply(DefaultOrder, secure, preferAllowOrder: true))
        {
            if (!offered.Contains(mech) || tried.Contains(mech, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            // XOAUTH2 and OAUTHBEARER carry the same token: one refused, the other would be refused too.
            if (mech is "XOAUTH2" or "OAUTHBEARER" && tried.Any(static t => t.Equals("XOAUTH2", StringComparison.OrdinalIgnoreCase) || t.Equals("OAUTHBEARER", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            Secret? secret = secrets.FirstOrDefault(s => CanDo(s, mech));
            if (secret is not null)
            {
                return new SaslClientExchange(mech, secret);
            }
        }

        return null;
    }
}
