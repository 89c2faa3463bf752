using EmailRelay.Diagnostics;
using EmailRelay.Net;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Hosting;

/// <summary>
/// Starts and stops everything long-running: today the listeners of every unit. Calling sequence:
/// <see cref="Start"/> binds every listener of every unit (all or nothing: a failure disposes what was bound and throws
/// <see cref="ListenerBindException"/>); <see cref="RunAsync"/> serves until the shutdown token fires; then
/// <see cref="DisposeAsync"/>. Shutdown is ordered: stop accepting, let connections see the token, wait for them.
/// </summary>
public sealed class RelayHost : IAsyncDisposable
{
    private readonly IReadOnlyList<RelayUnit> _units;
    private readonly Func<RelayUnit, ListenService, IConnectionHandler> _handlers;
    private readonly ILoggerFactory _loggerFactory;
    private readonly List<Listener> _listeners = [];

    /// <summary>Creates the host.</summary>
    /// <param name="units">The configuration units.</param>
    /// <param name="handlers">Creates the connection handler of a service in a unit (called once per unit and service).</param>
    /// <param name="loggerFactory">Loggers for the listeners.</param>
    public RelayHost(IReadOnlyList<RelayUnit> units, Func<RelayUnit, ListenService, IConnectionHandler> handlers, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(handlers);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _units = units;
        _handlers = handlers;
        _loggerFactory = loggerFactory;
    }

    /// <summary>The bound listeners (after <see cref="Start"/>).</summary>
    public IReadOnlyList<Listener> Listeners => _listeners;

    /// <summary>Binds all listeners, logging <c>smtp server on ...</c> for each.</summary>
    public void Start()
    {
        var logger = _loggerFactory.CreateLogger("EmailRelay.Net.Listener");
        try
        {
            foreach (var unit in _units)
            {
                var handlers = new Dictionary<ListenService, IConnectionHandler>();
                foreach (var endpoint in unit.Listeners)
                {
                    if (!handlers.TryGetValue(endpoint.Service, out var handler))
                    {
                        handler = _handlers(unit, endpoint.Service);
                        handlers[endpoint.Service] = handler;
                    }

                    var listener = new Listener(endpoint, unit.Name, unit.RemoteClients, handler, logger, proxyProtocol: unit.ProxyProtocol.GetValueOrDefault(endpoint.Service));
                    using var unitScope = logger.BeginScope(new ConnectionLogScope(unit.Name, null, 0));
                    if (listener.Bind())
                    {
                        _listeners.Add(listener);
                    }
                }
            }
        }
        catch
        {
            foreach (var listener in _listeners)
            {
                listener.Close();
            }

            _listeners.Clear();
            throw;
        }
    }

    /// <summary>Serves until <paramref name="shutdown"/> fires and every connection has ended. Returns at once when there is nothing to serve.</summary>
    public async Task RunAsync(CancellationToken shutdown)
    {
        if (_listeners.Count == 0)
        {
            return;
        }

        var loops = _listeners.Select(l => l.RunAsync(shutdown)).ToList();
        await Task.WhenAll(loops);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync();
        }

        _listeners.Clear();
    }
}
