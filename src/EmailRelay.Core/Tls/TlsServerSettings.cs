namespace EmailRelay.Tls;

/// <summary>The server-side TLS options: <c>--server-tls-certificate</c> (once or twice), <c>--server-tls-verify</c>, <c>--tls-config</c>.</summary>
internal sealed record TlsServerSettings
{
    /// <summary>The first <c>--server-tls-certificate</c>: one PEM, or the key file.</summary>
    public required string Certificate { get; init; }

    /// <summary>The second <c>--server-tls-certificate</c> (the certificate file), or null.</summary>
    public string? SecondCertificate { get; init; }

    /// <summary><c>--server-tls-verify</c>: a CA file or directory, <c>&lt;default&gt;</c>, <c>&lt;none&gt;</c>, or null.</summary>
    public string? Verify { get; init; }

    /// <summary>The parsed <c>--tls-config</c>.</summary>
    public TlsConfig Config { get; init; } = new();
}
