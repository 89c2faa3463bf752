namespace EmailRelay.Protocol.Proxy;

/// <summary>
/// The v2 <c>PP2_TYPE_SSL</c> TLV: how the client spoke TLS to a balancer that terminated it.
/// </summary>
/// <param name="ClientFlags">The <c>client</c> byte: 0x01 TLS used, 0x02 a certificate on this connection, 0x04 a certificate in the session.</param>
/// <param name="Verify">The <c>verify</c> field: 0 when a client certificate was presented and verified.</param>
/// <param name="Version">The TLS version text (e.g. <c>TLSv1.3</c>), or null.</param>
/// <param name="Cipher">The cipher name, or null.</param>
/// <param name="CommonName">The client certificate's common name, or null.</param>
public sealed record ProxyTls(byte ClientFlags, uint Verify, string? Version, string? Cipher, string? CommonName)
{
    /// <summary><c>PP2_CLIENT_SSL</c>: the client connected over TLS.</summary>
    public bool UsedTls => (ClientFlags & 0x01) != 0;

    /// <summary>The client presented a certificate (on this connection or in the session) and it verified.</summary>
    public bool HasVerifiedCertificate => (ClientFlags & 0x06) != 0 && Verify == 0;
}
