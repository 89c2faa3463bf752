using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EmailRelay.Protocol.Sasl;

/// <summary>
/// CRAM-MD5 (RFC 2195) and its SHA variants: the challenge is <c>&lt;random.unixtime@domain&gt;</c>, the
/// response <c>id SP lower-hex-HMAC(secret, challenge)</c>. Works from a plain secret or a hashed
/// secret of the same digest.
/// </summary>
internal sealed class CramServerMechanism : SaslServerMechanism
{
    private readonly ISecretLookup _secrets;
    private readonly HashKind _hash;
    private readonly byte[] _challenge;

    /// <summary>Creates the mechanism with its challenge already built.</summary>
    public CramServerMechanism(ISecretLookup secrets, HashKind hash, string challenge)
    {
        _secrets = secrets;
        _hash = hash;
        _challenge = Encoding.ASCII.GetBytes(challenge);
    }

    /// <summary>Builds a challenge <c>&lt;random.unixtime@domain&gt;</c>.</summary>
    public static string MakeChallenge(Random random, TimeProvider time, string domain)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(time);
        long unixTime = time.GetUtcNow().ToUnixTimeSeconds();
        return string.Create(CultureInfo.InvariantCulture, $"<{(uint)random.NextInt64(1, uint.MaxValue)}.{unixTime}@{domain}>");
    }

    /// <inheritdoc/>
    public override string Name => SecretTypes.CramName(_hash);

    /// <inheritdoc/>
    protected override SaslServerStep OnStart(byte[]? initial)
        => initial is null ? SaslServerStep.ChallengeOf(_challenge) : SaslServerStep.Malformed;

    /// <inheritdoc/>
    protected override SaslServerStep OnResponse(byte[] response)
    {
        int space = Array.LastIndexOf(response, (byte)' ');
        if (space <= 0 || !System.Text.Unicode.Utf8.IsValid(response.AsSpan(0, space)))
        {
            return SaslServerStep.Malformed;
        }

        string id = Encoding.UTF8.GetString(response, 0, space);
        string hex = Encoding.ASCII.GetString(response, space + 1, response.Length - space - 1);
        AuthenticatedId = id;
        byte[]? expected = Expected(id, out Secret? candidate);
        if (expected is null)
        {
            return SaslServerStep.Failure;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return SaslServerStep.Failure;
        }

        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return SaslServerStep.Failure;
        }

        MatchedSecret = candidate;
        return SaslServerStep.Success;
    }

    private byte[]? Expected(string id, out Secret? candidate)
    {
        Secret? hashed = _secrets.FindServerSecret(SecretTypes.NameOf(_hash), id);
        candidate = hashed;
        if (hashed is not null)
        {
            return Hmac.ComputeFromState(_hash, hashed.Value, _challenge);
        }

        Secret? plain = _secrets.FindServerSecret(SecretTypes.Plain, id);
        candidate = plain;
        return plain is null ? null : Hmac.Compute(_hash, plain.Value, _challenge);
    }
}
