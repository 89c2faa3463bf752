using System.Text;

namespace EmailRelay.Protocol.Sasl;

/// <summary>
/// A client-side SASL exchange (PLAIN, LOGIN, CRAM-*, XOAUTH2, OAUTHBEARER of RFC 7628) for one secret. Send
/// <c>AUTH &lt;Mechanism&gt; [InitialResponse]</c>, then answer each <c>334</c> challenge with
/// <see cref="Respond"/>. Responses are base64; never log them.
/// </summary>
internal sealed class SaslClientExchange
{
    private readonly Secret _secret;
    private int _steps;

    /// <summary>Creates an exchange; <paramref name="mechanism"/> must suit the secret (see <see cref="SaslClientMechanisms"/>).</summary>
    public SaslClientExchange(string mechanism, Secret secret)
    {
        ArgumentNullException.ThrowIfNull(mechanism);
        Mechanism = mechanism.ToUpperInvariant();
        _secret = secret ?? throw new ArgumentNullException(nameof(secret));
    }

    /// <summary>The mechanism name, upper case.</summary>
    public string Mechanism { get; }

    /// <summary>The user id of the secret (for <c>AUTH=</c> on MAIL once authenticated).</summary>
    public string Id => _secret.Id;

    /// <summary>The initial response for the AUTH line (PLAIN, XOAUTH2 and OAUTHBEARER), or null.</summary>
    public string? InitialResponse => Mechanism switch
    {
        "PLAIN" => SaslBase64.Encode([0, .. Encoding.UTF8.GetBytes(_secret.Id), 0, .. _secret.Value]),
        "XOAUTH2" => SaslBase64.Encode([.. Encoding.UTF8.GetBytes("user=" + _secret.Id + "\u0001auth=Bearer "), .. _secret.Value, 1, 1]),
        "OAUTHBEARER" => SaslBase64.Encode([.. Encoding.UTF8.GetBytes("n,a=" + GsSaslName(_secret.Id) + ",\u0001auth=Bearer "), .. _secret.Value, 1, 1]),
        _ => null,
    };

    /// <summary>
    /// The response to a <c>334</c> challenge (its base64 text). Returns <c>*</c> (cancel) for a challenge
    /// it cannot answer.
    /// </summary>
    public string Respond(string challenge)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        _steps++;
        if (!SaslBase64.TryDecode(challenge.Trim(), out byte[] data))
        {
            return "*";
        }

        if (Mechanism == "LOGIN")
        {
            return _steps == 1 ? SaslBase64.EncodeText(_secret.Id) : SaslBase64.Encode(_secret.Value);
        }

        if (SecretTypes.CramHash(Mechanism) is HashKind kind && _steps == 1)
        {
            byte[] mac = _secret.Hash == kind ? Hmac.ComputeFromState(kind, _secret.Value, data) : Hmac.Compute(kind, _secret.Value, data);
            return SaslBase64.EncodeText(_secret.Id + " " + Convert.ToHexStringLower(mac));
        }

        if (Mechanism == "PLAIN" && _steps == 1 && data.Length == 0)
        {
            return InitialResponse!;
        }

        // XOAUTH2 error challenge: an empty response ends the exchange with the server's failure. OAUTHBEARER's
        // (RFC 7628 §3.2.3): the client answers a single 0x01 and the server then fails the exchange.
        return Mechanism switch
        {
            "XOAUTH2" => string.Empty,
            "OAUTHBEARER" => SaslBase64.Encode([1]),
            _ => "*",
        };
    }

    /// <summary>The GS2 <c>saslname</c> of RFC 5801 §4: <c>=</c> and <c>,</c> written <c>=3D</c> and <c>=2C</c>.</summary>
    private static string GsSaslName(string id) => id.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal);
}
