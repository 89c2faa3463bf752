using System.Security.Cryptography;
using System.Text;

namespace EmailRelay.Protocol.Sasl;

/// <summary>APOP (RFC 1939 §7): the digest is lower-hex MD5 of the greeting's challenge followed by the password.</summary>
internal static class Apop
{
    /// <summary>True if APOP is possible: the store has plain server secrets.</summary>
    public static bool IsAvailable(ISecretLookup secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        return !secrets.IsPam && secrets.ServerSecretTypes.Contains(SecretTypes.Plain);
    }

    /// <summary>Checks <paramref name="digestHex"/> for <paramref name="id"/> against <paramref name="challenge"/>.</summary>
    public static bool Check(ISecretLookup secrets, string id, string challenge, string digestHex)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(challenge);
        ArgumentNullException.ThrowIfNull(digestHex);
        Secret? secret = secrets.FindServerSecret(SecretTypes.Plain, id);
        if (secret is null || digestHex.Length != 32)
        {
            return false;
        }

        byte[] data = [.. Encoding.UTF8.GetBytes(challenge), .. secret.Value];
        byte[] expected = ResumableHash.Compute(HashKind.Md5, data);
        byte[] given;
        try
        {
            given = Convert.FromHexString(digestHex);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>The digest a client sends (lower-hex), for tests and clients.</summary>
    public static string Digest(string challenge, ReadOnlySpan<byte> password)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        byte[] data = [.. Encoding.UTF8.GetBytes(challenge), .. password];
        return Convert.ToHexStringLower(ResumableHash.Compute(HashKind.Md5, data));
    }
}
