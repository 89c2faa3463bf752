using EmailRelay.Protocol.Sasl;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Pop3;

/// <summary>What the POP3 driver uses: the store, the secrets, the clock, the logger and (optionally) the TLS upgrade.</summary>
/// <param name="Store">The maildrops.</param>
/// <param name="Mechanisms">The <c>--pop-auth</c> secrets and SASL mechanisms.</param>
/// <param name="TimeProvider">The clock (idle timeout, APOP challenge).</param>
/// <param name="Logger">The POP3 logger.</param>
internal sealed record Pop3ServerServices(PopStore Store, SaslServerMechanisms Mechanisms, TimeProvider TimeProvider, ILogger Logger)
{
    /// <summary>Upgrades the plain stream to TLS (server side); null if STLS is not configured.</summary>
    public Func<Stream, CancellationToken, Task<Stream>>? TlsUpgrader { get; init; }

    /// <summary>Where sessions, auth and TLS are reported.</summary>
    public EmailRelay.Events.RelayEvents Events { get; init; } = new();
}
