using EmailRelay.Net;
using EmailRelay.Smtp.Server;

namespace EmailRelay.Hosting;

/// <summary>
/// Everything around one spool directory (E-MailRelay's <c>Main::Unit</c>): one configuration unit of the
/// command line or config file. Built once by the CLI, immutable.
/// </summary>
/// <param name="Name">The unit's name (<c>in</c> for <c>--in-*</c> options); empty for the main unit.</param>
/// <param name="SpoolDirectory">The absolute spool directory path.</param>
/// <param name="Domain">The domain for greetings and <c>Received:</c> lines (<c>--domain</c>).</param>
/// <param name="RemoteClients">True to accept non-local peers (<c>--remote-clients</c>).</param>
/// <param name="Listeners">The sockets to listen on, for all services of this unit.</param>
public sealed record RelayUnit(
    string Name,
    string SpoolDirectory,
    string Domain,
    bool RemoteClients,
    IReadOnlyList<ListenEndpoint> Listeners)
{
    /// <summary>
    /// The PROXY protocol setting of each service's listeners (<c>--server-proxy-protocol</c>,
    /// <c>--pop-proxy-protocol</c>); a service not in it takes connections as they come.
    /// </summary>
    public IReadOnlyDictionary<ListenService, ProxyProtocolPolicy> ProxyProtocol { get; init; } = new Dictionary<ListenService, ProxyProtocolPolicy>();

    /// <summary>The SMTP server's protocol policy and limits.</summary>
    internal SmtpServerOptions Smtp { get; init; } = new();

    /// <summary>The server-side filter spec (<c>--filter</c>, a comma-separated chain); empty for none.</summary>
    public string Filter { get; init; } = "";

    /// <summary>The address verifier spec (<c>--address-verifier</c>); empty accepts every recipient as remote.</summary>
    public string AddressVerifier { get; init; } = "";

    /// <summary>True with <c>--admin-terminate</c>: the admin <c>terminate</c> command is allowed.</summary>
    public bool AdminTerminate { get; init; }

    /// <summary>The unit's forwarding settings, or null when it does not forward (reference §h, §i).</summary>
    internal EmailRelay.Smtp.Client.ForwardingOptions? Forwarding { get; init; }

    /// <summary><c>--filter-timeout</c>: the time limit for filters and address verifiers.</summary>
    public TimeSpan FilterTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>--delivery-dir</c>: the base directory of the <c>deliver:</c> filter's mailboxes; empty for the spool directory.</summary>
    public string DeliveryDirectory { get; init; } = "";

    /// <summary>The POP3 server's settings (<c>--pop-by-name</c>, <c>--pop-no-delete</c>, limits).</summary>
    internal Pop3.Pop3ServerOptions Pop { get; init; } = new();

    /// <summary><c>--pop-auth</c>: the POP secrets file (absolute) or <c>pam:</c>; empty if not given.</summary>
    public string PopAuth { get; init; } = "";

    /// <summary><c>--server-auth</c>: a secrets file path or <c>pam:</c>; empty for no AUTH.</summary>
    public string ServerAuth { get; init; } = "";

    /// <summary><c>--server-auth-config</c>.</summary>
    public string ServerAuthConfig { get; init; } = "";

    /// <summary>Server TLS (<c>--server-tls-certificate</c>, <c>--server-tls-verify</c>, <c>--tls-config</c>), or null.</summary>
    internal EmailRelay.Tls.TlsServerSettings? ServerTls { get; init; }

    /// <summary><c>--connection-timeout</c>: also the TLS handshake limit.</summary>
    public TimeSpan ConnectionTimeout { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary><c>--dnsbl</c>: the DNSBL servers, threshold, timeout and name server (reference §g); empty for no check.</summary>
    public string Dnsbl { get; init; } = "";
}
