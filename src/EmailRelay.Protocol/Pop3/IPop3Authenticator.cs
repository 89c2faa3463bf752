namespace EmailRelay.Protocol.Pop3;

/// <summary>
/// What the POP3 session needs from the secrets (<c>--pop-auth</c>): which mechanisms exist, and the
/// checks. Implemented in Core over the secrets file and the SASL mechanisms; the session never sees
/// a secret. Calls are synchronous and pure (no I/O).
/// </summary>
internal interface IPop3Authenticator
{
    /// <summary>True if plain secrets exist: APOP is possible, so the greeting carries a challenge.</summary>
    bool HasPlainSecrets { get; }

    /// <summary>The SASL mechanisms to advertise, in order, before (<paramref name="secure"/> false) or after TLS.</summary>
    IReadOnlyList<string> Mechanisms(bool secure);

    /// <summary>USER/PASS, done as SASL PLAIN: the authenticated id, or null.</summary>
    string? ValidatePlain(string user, string password);

    /// <summary>APOP (RFC 1939 §7): MD5 of <paramref name="challenge"/> and the password, in lower-case hex; the authenticated id, or null.</summary>
    string? ValidateApop(string user, string challenge, string digestHex);

    /// <summary>Starts a SASL exchange for <paramref name="mechanism"/> (upper case); null if it is not available.</summary>
    IPop3SaslExchange? Begin(string mechanism, bool secure);
}
