namespace EmailRelay.Protocol.Sasl;

/// <summary>The digests E-MailRelay's secrets and CRAM mechanisms use.</summary>
internal enum HashKind
{
    /// <summary>MD5 (RFC 1321).</summary>
    Md5,

    /// <summary>SHA-1 (FIPS 180-4).</summary>
    Sha1,

    /// <summary>SHA-256 (FIPS 180-4).</summary>
    Sha256,

    /// <summary>SHA-512 (FIPS 180-4).</summary>
    Sha512,
}
