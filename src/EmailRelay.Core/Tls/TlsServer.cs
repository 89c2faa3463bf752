using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EmailRelay.Net;

namespace EmailRelay.Tls;

/// <summary>
/// Server-side TLS: builds <see cref="SslServerAuthenticationOptions"/> once from the options and runs
/// handshakes (STARTTLS, STLS and SMTPS) bounded in time (<see cref="RelayLimits.TlsHandshakeTimeout"/>, or
/// <c>--connection-timeout</c> when shorter) and in what the peer sends before completion
/// (<see cref="TlsHandshakeGuard"/>: <see cref="RelayLimits.MaxTlsRecordLength"/>, <see cref="RelayLimits.MaxTlsHandshakeBytes"/>).
/// </summary>
internal sealed class TlsServer
{
    private readonly SslServerAuthenticationOptions _options;
    private readonly TimeSpan _handshakeTimeout;
    private readonly TimeProvider _time;
    private readonly RelayLimits _limits;

    /// <summary>Loads the certificate and CA list; throws <see cref="TlsConfigurationException"/>.</summary>
    public TlsServer(TlsServerSettings settings, TimeSpan handshakeTimeout, TimeProvider time, RelayLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _limits = limits ?? RelayLimits.Default;
        _handshakeTimeout = handshakeTimeout > TimeSpan.Zero && handshakeTimeout < _limits.TlsHandshakeTimeout ? handshakeTimeout : _limits.TlsHandshakeTimeout;
        _time = time;
        var (certificate, chain) = TlsCertificates.Load(settings.Certificate, settings.SecondCertificate);
        _options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, chain, offline: true),
            EnabledSslProtocols = settings.Config.Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ClientCertificateRequired = settings.Verify != "<none>",
            RemoteCertificateValidationCallback = TlsVerification.ServerCallback(settings.Verify, settings.Config.NoVerify),
        };
    }

    /// <summary>The options every handshake uses.</summary>
    public SslServerAuthenticationOptions Options => _options;

    /// <summary>Runs the server handshake over <paramref name="stream"/>; throws on failure or timeout.</summary>
    public async Task<SslStream> AuthenticateAsync(Stream stream, CancellationToken cancellationToken)
    {
        var guard = new TlsHandshakeGuard(stream, _limits.MaxTlsRecordLength, _limits.MaxTlsHandshakeBytes);
        var ssl = new SslStream(guard, leaveInnerStreamOpen: false);
        using var timeout = new CancellationTokenSource(_handshakeTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await ssl.AuthenticateAsServerAsync(_options, linked.Token).ConfigureAwait(false);
            guard.Complete();
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The cipher for the Received line: the IANA suite name with <c>-</c> as <c>_</c>.</summary>
    public static string CipherName(Stream stream)
        => stream is SslStream ssl ? ssl.NegotiatedCipherSuite.ToString().Replace('-', '_') : "";

    /// <summary>The peer's certificate as PEM, or empty.</summary>
    public static string ClientCertificatePem(Stream stream)
        => stream is SslStream { RemoteCertificate: { } cert } ? TlsCertificates.ToPem(cert) : "";

    /// <summary>The negotiated protocol name for the log, e.g. <c>TLSv1.3</c>.</summary>
    public static string ProtocolName(Stream stream) => stream is SslStream ssl
        ? ssl.SslProtocol switch
        {
            System.Security.Authentication.SslProtocols.Tls13 => "TLSv1.3",
            System.Security.Authentication.SslProtocols.Tls12 => "TLSv1.2",
            var other => other.ToString(),
        }
        : "";
}
