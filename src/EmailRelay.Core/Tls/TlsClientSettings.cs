using System.Net.Security;

namespace EmailRelay.Tls;

/// <summary>
/// The client-side TLS options: <c>--client-tls-certificate</c>, <c>--client-tls-verify</c>,
/// <c>--client-tls-verify-name</c>, <c>--client-tls-server-name</c>, <c>--tls-config</c>.
/// </summary>
internal sealed record TlsClientSettings
{
    /// <summary>The first <c>--client-tls-certificate</c>, or null.</summary>
    public string? Certificate { get; init; }

    /// <summary>The second <c>--client-tls-certificate</c>, or null.</summary>
    public string? SecondCertificate { get; init; }

    /// <summary><c>--client-tls-verify</c>: a CA file or directory or <c>&lt;default&gt;</c>, or null.</summary>
    public string? Verify { get; init; }

    /// <summary><c>--client-tls-verify-name</c>, or null.</summary>
    public string? VerifyName { get; init; }

    /// <summary><c>--client-tls-server-name</c> (SNI), or null.</summary>
    public string? ServerName { get; init; }

    /// <summary>The parsed <c>--tls-config</c>.</summary>
    public TlsConfig Config { get; init; } = new();

    /// <summary>Builds the client options (loads the certificate; throws <see cref="TlsConfigurationException"/>).</summary>
    public SslClientAuthenticationOptions CreateOptions(string targetHost)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = ServerName ?? targetHost,
            EnabledSslProtocols = Config.Protocols,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = TlsVerification.ClientCallback(Verify, VerifyName, Config.NoVerify),
        };
        if (Certificate is not null)
        {
            var (certificate, chain) = TlsCertificates.Load(Certificate, SecondCertificate);
            options.ClientCertificateContext = SslStreamCertificateContext.Create(certificate, chain, offline: true);
        }

        return options;
    }
}
