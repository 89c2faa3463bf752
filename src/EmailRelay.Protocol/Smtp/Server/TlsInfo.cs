namespace EmailRelay.Protocol.Smtp.Server;

/// <summary>What the session needs to know about an established TLS session.</summary>
/// <param name="Cipher">The cipher suite name for the Received line, e.g. <c>TLS_AES_256_GCM_SHA384</c>.</param>
internal sealed record TlsInfo(string Cipher)
{
    /// <summary>The client certificate as PEM for the envelope's ClientCertificate field, or empty.</summary>
    public string ClientCertificate { get; init; } = "";
}
