using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography;
using EmailRelay.Protocol.Dkim;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace EmailRelay.Filters.Dkim;

/// <summary>
/// A DKIM private key read from a file: RSA (PEM, PKCS#1 or PKCS#8; at least 1024 bits, RFC 8301) or Ed25519 (PEM
/// PKCS#8 as <c>openssl genpkey -algorithm ed25519</c> writes it, or dkimpy's base64 of the 32-byte seed). It signs
/// the SHA-256 of a signing input. Ed25519 comes from BouncyCastle (the .NET 10 BCL has no Ed25519).
/// </summary>
internal sealed class DkimKey : IDisposable
{
    /// <summary>The smallest RSA key accepted (RFC 8301 §3.2).</summary>
    public const int MinRsaBits = 1024;

    private const string Ed25519Oid = "1.3.101.112";
    private readonly RSA? _rsa;
    private readonly byte[]? _ed25519Seed;

    private DkimKey(RSA rsa)
    {
        _rsa = rsa;
        Algorithm = DkimAlgorithm.RsaSha256;
    }

    private DkimKey(byte[] seed)
    {
        _ed25519Seed = seed;
        Algorithm = DkimAlgorithm.Ed25519Sha256;
    }

    /// <summary>The algorithm the key signs with.</summary>
    public DkimAlgorithm Algorithm { get; }

    /// <summary>The RSA key size in bits, or 256 for Ed25519.</summary>
    public int Bits => _rsa?.KeySize ?? 256;

    /// <summary>Reads a key file; false with a one-line reason if it cannot be read or is not a usable key.</summary>
    public static bool TryLoad(string path, [NotNullWhen(true)] out DkimKey? key, out string error)
    {
        key = null;
        error = "";
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = string.Concat("cannot read dkim key file \"", path, "\": ", e.Message);
            return false;
        }

        if (TryParse(text, out key, out var why))
        {
            return true;
        }

        error = string.Concat("invalid dkim key file \"", path, "\": ", why);
        return false;
    }

    /// <summary>Parses a key file's text.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out DkimKey? key, out string why)
    {
        ArgumentNullException.ThrowIfNull(text);
        key = null;
        why = "";
        var trimmed = text.Trim();
        if (!trimmed.StartsWith("-----", StringComparison.Ordinal))
        {
            // dkimpy's dknewkey writes an Ed25519 key as the base64 of its 32-byte seed.
            var seed = new byte[32];
            if (Convert.TryFromBase64String(trimmed, seed, out int written) && written == 32)
            {
                key = new DkimKey(seed);
                return true;
            }

            why = "expected a PEM private key";
            return false;
        }

        if (trimmed.Contains("BEGIN PRIVATE KEY", StringComparison.Ordinal) && TryEd25519Pkcs8(trimmed, out var ed))
        {
            key = new DkimKey(ed);
            return true;
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(trimmed);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            why = "not an RSA or Ed25519 private key (" + e.Message + ")";
            return false;
        }

        if (rsa.KeySize < MinRsaBits)
        {
            why = string.Concat("an RSA key of ", rsa.KeySize.ToString(System.Globalization.CultureInfo.InvariantCulture), " bits is too small (at least 1024)");
            rsa.Dispose();
            return false;
        }

        key = new DkimKey(rsa);
        return true;
    }

    /// <summary>Generates a new key: RSA of <paramref name="bits"/> bits, or Ed25519.</summary>
    public static DkimKey Generate(DkimAlgorithm algorithm, int bits)
        => algorithm == DkimAlgorithm.Ed25519Sha256 ? new DkimKey(RandomNumberGenerator.GetBytes(32)) : new DkimKey(RSA.Create(bits));

    /// <summary>Signs the SHA-256 <paramref name="hash"/> of a signing input: RSASSA-PKCS1-v1_5, or Ed25519 over the hash (RFC 8463 §3).</summary>
    public byte[] SignHash(byte[] hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        if (_rsa is not null)
        {
            return _rsa.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        var signature = new byte[Ed25519.SignatureSize];
        Ed25519.Sign(_ed25519Seed!, 0, hash, 0, hash.Length, signature, 0);
        return signature;
    }

    /// <summary>The <c>p=</c> value of the DNS record: SubjectPublicKeyInfo for RSA, the raw 32 bytes for Ed25519 (RFC 8463 §4).</summary>
    public string PublicKeyBase64()
    {
        if (_rsa is not null)
        {
            return Convert.ToBase64String(_rsa.ExportSubjectPublicKeyInfo());
        }

        var publicKey = new byte[Ed25519.PublicKeySize];
        Ed25519.GeneratePublicKey(_ed25519Seed!, 0, publicKey, 0);
        return Convert.ToBase64String(publicKey);
    }

    /// <summary>The private key as PEM (PKCS#8 for both algorithms).</summary>
    public string PrivateKeyPem()
    {
        if (_rsa is not null)
        {
            return _rsa.ExportPkcs8PrivateKeyPem();
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(0);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Ed25519Oid);
            }

            var inner = new AsnWriter(AsnEncodingRules.DER);
            inner.WriteOctetString(_ed25519Seed);
            writer.WriteOctetString(inner.Encode());
        }

        return PemEncoding.WriteString("PRIVATE KEY", writer.Encode());
    }

    /// <summary>The public key as PEM (SubjectPublicKeyInfo).</summary>
    public string PublicKeyPem()
    {
        if (_rsa is not null)
        {
            return _rsa.ExportSubjectPublicKeyInfoPem();
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Ed25519Oid);
            }

            writer.WriteBitString(Convert.FromBase64String(PublicKeyBase64()));
        }

        return PemEncoding.WriteString("PUBLIC KEY", writer.Encode());
    }

    /// <inheritdoc />
    public void Dispose() => _rsa?.Dispose();

    private static bool TryEd25519Pkcs8(string pem, [NotNullWhen(true)] out byte[]? seed)
    {
        seed = null;
        try
        {
            var fields = PemEncoding.Find(pem);
            var der = Convert.FromBase64String(pem[fields.Base64Data]);
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            sequence.ReadInteger();
            var algorithm = sequence.ReadSequence();
            if (algorithm.ReadObjectIdentifier() != Ed25519Oid)
            {
                return false;
            }

            var inner = new AsnReader(sequence.ReadOctetString(), AsnEncodingRules.DER);
            var bytes = inner.ReadOctetString();
            if (bytes.Length != 32)
            {
                return false;
            }

            seed = bytes;
            return true;
        }
        catch (Exception e) when (e is ArgumentException or AsnContentException or FormatException)
        {
            return false;
        }
    }
}
