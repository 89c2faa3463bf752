using EmailRelay.Auth;
using EmailRelay.Net;
using EmailRelay.Pop3;
using EmailRelay.Protocol.Sasl;
using EmailRelay.Spool;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Hosting;

/// <summary>Builds a unit's POP3 server (reference §f) when it listens on a POP port.</summary>
internal static class PopComposition
{
    /// <summary>The POP3 handler, or null if the unit has no POP listener. A bad <c>--pop-auth</c> is a <see cref="ConfigurationException"/>.</summary>
    public static Pop3ServerConnectionHandler? Create(RelayUnit unit, FileSpool spool, ILoggerFactory loggerFactory, TimeProvider timeProvider)
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

        ISecretLookup secrets;
        try
        {
            secrets = SecretStores.OpenServer(unit.PopAuth, timeProvider, loggerFactory.CreateLogger("EmailRelay.Auth"));
        }
        catch (SecretsFileException e)
        {
            throw new ConfigurationException(e.Message, e);
        }

        // Reference §f: the same mechanism lists as SMTP, with --server-auth-config applied.
        var mechanisms = new SaslServerMechanisms(secrets, SaslConfig.Parse(unit.Pop.AuthConfig), Random.Shared, timeProvider, unit.Domain);
        var store = new PopStore(spool, unit.Pop.ByName, unit.Pop.NoDelete, timeProvider);
        var services = new Pop3ServerServices(store, mechanisms, timeProvider, loggerFactory.CreateLogger("EmailRelay.Pop3"));
        return new Pop3ServerConnectionHandler(unit.Pop with { Unit = unit.Name, Domain = unit.Domain }, services);
    }
}
