using EmailRelay.Net;
using EmailRelay.Protocol.Smtp.Server;

namespace EmailRelay.Smtp.Server;

/// <summary>
/// What the SMTP server needs from the command line, built once by Hosting. The connection takes
/// <see cref="RelayLimits.ClientErrorLimit"/> from <see cref="Limits"/> (overriding the policy's), and
/// <see cref="RelayLimits.MaxMessageSize"/> when the policy's <c>MaxMessageSize</c> is 0; STARTTLS is
/// offered only when the policy says so and a TLS upgrader is wired.
/// </summary>
internal sealed record SmtpServerOptions
{
    /// <summary>The protocol switches and limits (domain, anonymous, size, smtp-config items).</summary>
    public SmtpServerPolicy Policy { get; init; } = SmtpServerPolicy.Default;

    /// <summary>The byte and time limits.</summary>
    public RelayLimits Limits { get; init; } = RelayLimits.Default;

    /// <summary>The configuration unit's name for the log scope; empty for the first unit.</summary>
    public string Unit { get; init; } = "";

    /// <summary><c>--domain</c> (the policy's domain).</summary>
    public string Domain => Policy.Domain;

    /// <summary><c>--server-tls-connection</c> (SMTPS): the TLS handshake comes before the greeting.</summary>
    public bool ImplicitTls { get; init; }
}
