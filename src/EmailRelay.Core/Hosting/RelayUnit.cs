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
}
