using System.Diagnostics.CodeAnalysis;
using EmailRelay.Filters;
using EmailRelay.Smtp.Client;
using EmailRelay.Spool;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Hosting;

/// <summary>Builds a unit's <see cref="Forwarder"/> with its client filter (called by the composition root).</summary>
internal static class ForwarderComposition
{
    /// <summary>Creates the forwarder.</summary>
    /// <param name="options">The unit's forwarding settings.</param>
    /// <param name="spool">Its spool.</param>
    /// <param name="time">The clock.</param>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <param name="events">Where the forwarder reports.</param>
    /// <param name="forwarder">The forwarder.</param>
    /// <param name="error">Why the client filter spec is unusable.</param>
    /// <returns>False when the client filter spec is unusable.</returns>
    /// <param name="filterEnvironment">The unit's filter settings (<c>--filter-timeout</c>, paths, logger) for the client filter; null for defaults.</param>
    public static bool TryCreate(ForwardingOptions options, IMessageSpool spool, TimeProvider time, ILoggerFactory loggerFactory, Events.RelayEvents events,
        [NotNullWhen(true)] out Forwarder? forwarder, out string error, FilterEnvironment? filterEnvironment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        forwarder = null;
        error = "";
        IMessageFilter? filter = null;
        if (options.ClientFilter.Length > 0)
        {
            var environment = filterEnvironment ?? new FilterEnvironment { TimeProvider = time, Logger = loggerFactory.CreateLogger("EmailRelay.Filters") };
            if (!new FilterFactory(environment).TryCreate(options.ClientFilter, out var created, out error))
            {
                return false;
            }

            filter = created is EmptyFilter ? null : created;
        }

        forwarder = new Forwarder(spool, filter, options, time, loggerFactory.CreateLogger("EmailRelay.Smtp.Client")) { Events = events };
        return true;
    }
}
