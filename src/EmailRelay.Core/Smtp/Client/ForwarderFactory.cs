using EmailRelay.Filters;
using EmailRelay.Hosting;
using EmailRelay.Spool;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Smtp.Client;

/// <summary>Builds a unit's <see cref="Forwarder"/> with its client filter (called by the composition root).</summary>
internal static class ForwarderFactory
{
    /// <summary>Creates the forwarder, or returns null when the unit does not forward.</summary>
    /// <param name="unit">The unit.</param>
    /// <param name="spool">Its spool.</param>
    /// <param name="time">The clock.</param>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <returns>The forwarder, or null.</returns>
    /// <exception cref="ConfigurationException">The client filter spec is unusable.</exception>
    public static Forwarder? Create(RelayUnit unit, IMessageSpool spool, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (unit.Forwarding is not { } options)
        {
            return null;
        }

        IMessageFilter? filter = null;
        if (options.ClientFilter.Length > 0)
        {
            if (!new FilterFactory(time).TryCreate(options.ClientFilter, out var created, out var error))
            {
                throw new ConfigurationException(error);
            }

            filter = created is EmptyFilter ? null : created;
        }

        return new Forwarder(spool, filter, options, time, loggerFactory.CreateLogger("EmailRelay.Smtp.Client"));
    }
}
