using EmailRelay.Net;
using EmailRelay.Pop3;
using EmailRelay.Spool;
using EmailRelay.Tls;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Hosting;

/// <summary>Builds a unit's POP3 server (reference §f) when it listens on a POP port.</summary>
internal static class PopComposition
{
    /// <summary>The POP3 handler, or null if the unit has no POP listener. A bad <c>--pop-auth</c> or certificate is a <see cref="ConfigurationException"/>.</summary>
    public static Pop3ServerConnectionHandler? Create(RelayUnit unit, FileSpool spool, ILoggerFactory loggerFactory, TimeProvider timeProvider, Events.RelayEvents events)
    {
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (!unit.Listeners.Any(l => l.Service == ListenService.Pop))
        {
            return null;
        }

        if (unit.PopAuth.Length == 0)
        {
            throw new ConfigurationException("the pop server requires --pop-auth");
        }

        // Reference §f: the same mechanism lists as SMTP, with --server-auth-config applied.
        var mechanisms = AuthTlsComposition.CreateSasl(unit.PopAuth, unit.Pop.AuthConfig, unit.Domain, loggerFactory, timeProvider);
        var logger = loggerFactory.CreateLogger("EmailRelay.Pop3");
        var store = new PopStore(spool, unit.Pop.ByName, unit.Pop.NoDelete, logger);
        var services = new Pop3ServerServices(store, mechanisms, timeProvider, logger)
        {
            TlsUpgrader = StlsUpgrader(unit, timeProvider),
            Events = events,
        };
        return new Pop3ServerConnectionHandler(unit.Pop with { Unit = unit.Name, Domain = unit.Domain }, services);
    }

    // Reference §e: STLS with --server-tls (not --server-tls-connection alone: POP has no implicit TLS),
    // with the same certificate and the --connection-timeout handshake limit as SMTP's STARTTLS.
    private static Func<Stream, CancellationToken, Task<Stream>>? StlsUpgrader(RelayUnit unit, TimeProvider timeProvider)
    {
        if (unit.ServerTls is not { } settings || !unit.Pop.Policy.TlsOffered)
        {
            return null;
        }

        TlsServer tls;
        try
        {
            tls = new TlsServer(settings, unit.ConnectionTimeout, timeProvider);
        }
        catch (TlsConfigurationException e)
        {
            throw new ConfigurationException(e.Message, e);
        }

        return async (stream, ct) => await tls.AuthenticateAsync(stream, ct).ConfigureAwait(false);
    }
}
