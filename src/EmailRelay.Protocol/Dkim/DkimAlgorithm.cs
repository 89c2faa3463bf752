namespace EmailRelay.Protocol.Dkim;

/// <summary>A DKIM signing algorithm (the <c>a=</c> tag).</summary>
public enum DkimAlgorithm
{
    /// <summary><c>rsa-sha256</c> (RFC 6376 §3.3.1; keys of at least 1024 bits, RFC 8301).</summary>
    RsaSha256,

    /// <summary><c>ed25519-sha256</c> (RFC 8463): Ed25519 over the SHA-256 of the signing input.</summary>
    Ed25519Sha256,
}
