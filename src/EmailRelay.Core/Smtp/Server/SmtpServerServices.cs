using EmailRelay.Filters;
using EmailRelay.Spool;
using EmailRelay.Verifiers;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Smtp.Server;

/// <summary>The collaborators every SMTP server connection shares, wired by Hosting.</summary>
/// <param name="Spool">Where accepted messages go.</param>
/// <param name="Verifier">The address verifier (RCPT and VRFY).</param>
/// <param name="Filter">The server <c>--filter</c> chain, or null for none.</param>
/// <param name="TimeProvider">Clock and timers.</param>
/// <param name="Logger">The SMTP server logger.</param>
internal sealed record SmtpServerServices(IMessageSpool Spool, IAddressVerifier Verifier, IMessageFilter? Filter, TimeProvider TimeProvider, ILogger Logger)
{
    /// <summary>Raised when a filter asks for a forwarding run (exit 102/103/104 "rescan").</summary>
    public Action? ForwardingRequested { get; init; }

    /// <summary>
    /// <c>--immediate</c>: opens the forwarding of one client session, which forwards each just-committed message
    /// before the client's reply (see <see cref="Client.Forwarder.OpenImmediateSession"/>). Null when the unit does
    /// not use <c>--immediate</c>.
    /// </summary>
    public Func<Client.Forwarder.ImmediateSession>? OpenImmediateSession { get; init; }

    /// <summary>
    /// The STARTTLS upgrade (wraps the plain stream in an authenticated <c>SslStream</c>), or null when
    /// <c>--server-tls</c> is not set. The returned stream's cipher is reported by <see cref="TlsCipher"/>.
    /// </summary>
    public Func<Stream, CancellationToken, Task<Stream>>? TlsUpgrader { get; init; }

    /// <summary>Names the cipher of an upgraded stream for the Received line.</summary>
    public Func<Stream, string>? TlsCipher { get; init; }

    /// <summary>The client certificate of an upgraded stream as PEM (envelope ClientCertificate), or empty.</summary>
    public Func<Stream, string>? TlsClientCertificate { get; init; }

    /// <summary>Where sessions, received messages, filter runs, auth and TLS are reported.</summary>
    public EmailRelay.Events.RelayEvents Events { get; init; } = new();

    /// <summary><c>--server-auth</c>: the SASL mechanisms over the server secrets, or null.</summary>
    public EmailRelay.Protocol.Sasl.SaslServerMechanisms? Sasl { get; init; }
}
