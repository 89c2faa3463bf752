using EmailRelay.Dns;
using EmailRelay.Net;
using EmailRelay.Protocol.Dns;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Hosting;

/// <summary>Puts the <c>--dnsbl</c> check in front of a unit's SMTP handler, switched by the admin <c>dnsbl stop|start</c> commands.</summary>
internal static class DnsblComposition
{
    /// <summary>The handler to serve SMTP with: <paramref name="smtp"/> itself without <c>--dnsbl</c>.</summary>
    public static IConnectionHandler Wrap(RelayUnit unit, IConnectionHandler smtp, RelayControl control, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (unit.Dnsbl.Length == 0)
        {
            return smtp;
        }

        if (!DnsblConfig.TryParse(unit.Dnsbl, out var config, out var error))
        {
            throw new ConfigurationException(error);
        }

        return new DnsblConnectionHandler(smtp, new DnsblChecker(config!, timeProvider), () => control.IsDnsblEnabled, loggerFactory.CreateLogger("EmailRelay.Dns"),
            discardEarlyInput: !unit.Smtp.ImplicitTls);
    }
}
