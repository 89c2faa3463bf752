using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace EmailRelay.Tls;

/// <summary>
/// Client-side TLS for forwarding (reference §e "Client side"): loads <c>--client-tls-certificate</c> and the
/// <c>--client-tls-verify</c> CA list once (errors are fatal at startup), then runs handshakes (STARTTLS and SMTPS)
/// with the <c>--connection-timeout</c> limit, SNI from <c>--client-tls-server-name</c>, and the verify-name check.
/// </summary>
internal sealed class TlsClient
{
    private readonly TlsClientSettings _settings;
    private readonly SslClientAuthenticationOptions _template;
    private readonly RemoteCertificateValidationCallback _verify;
    private readonly TimeSpan _handshakeTimeout;
    private readonly TimeProvider _time;

    /// <summary>Loads the certificate and CA list; throws <see cref="TlsConfigurationException"/>.</summary>
    /// <param name="settings">The options.</param>
    /// <param name="handshakeTimeout">The handshake limit (<c>--connection-timeout</c>).</param>
    /// <param name="time">The clock.</param>
    public TlsClient(TlsClientSettings settings, TimeSpan handshakeTimeout, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _handshakeTimeout = handshakeTimeout;
        _time = time;
        _template = settings.CreateOptions("localhost");
        _verify = _template.RemoteCertificateValidationCallback!;
    }

    /// <summary>Whether the server certificate is verified (<c>--client-tls-verify</c> without <c>noverify</c>).</summary>
    public bool Verifies => _settings.Verify is not null && !_settings.Config.NoVerify;

    /// <summary>The name the certificate must carry (<c>--client-tls-verify-name</c>), or null.</summary>
    public string? RequiredPeerName => _settings.VerifyName;

    /// <summary>Runs the client handshake over <paramref name="stream"/>; throws on failure or timeout.</summary>
    /// <param name="stream">The connected stream (owned by the result).</param>
    /// <param name="targetHost">The target's host, the SNI name unless <c>--client-tls-server-name</c> is given.</param>
    /// <param name="cancellationToken">Shutdown.</param>
    /// <returns>The TLS stream and the peer certificate's subject with the verification result.</returns>
    public async Task<TlsClientResult> AuthenticateAsync(Stream stream, string targetHost, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targetHost);
        string subject = "";
        bool verified = false;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = _settings.ServerName ?? targetHost,
            EnabledSslProtocols = _template.EnabledSslProtocols,
            CertificateRevocationCheckMode = _template.CertificateRevocationCheckMode,
            ClientCertificateContext = _template.ClientCertificateContext,
            RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
            {
                subject = certificate is null ? "" : SubjectOf(certificate);
                verified = _verify(sender, certificate, chain, errors);
                return verified;
            },
        };
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        using var timeout = new CancellationTokenSource(_handshakeTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, linked.Token).ConfigureAwait(false);
            return new TlsClientResult(ssl, subject, verified);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException("tls handshake timeout");
        }
        catch (System.Security.Authentication.AuthenticationException ex) when (subject.Length > 0 && !verified)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new TlsVerificationException(subject, ex);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A certificate subject in OpenSSL's one-line form, e.g. <c>/C=GB/CN=relay.example.org</c>.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>The subject.</returns>
    public static string SubjectOf(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var cert = new X509Certificate2(certificate);
        var builder = new StringBuilder();
        foreach (var rdn in cert.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                continue;
            }

            var oid = rdn.GetSingleElementType();
            builder.Append('/').Append(oid.FriendlyName ?? oid.Value).Append('=').Append(rdn.GetSingleElementValue());
        }

        return builder.ToString();
    }
}
