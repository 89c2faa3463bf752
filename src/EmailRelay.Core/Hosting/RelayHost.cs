using EmailRelay.Diagnostics;
using EmailRelay.Net;
using EmailRelay.Smtp.Client;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Hosting;

/// <summary>
/// Starts and stops everything long-running: the listeners of every unit and, built from the units' runtimes, their
/// forwarders' loops. Calling sequence: <see cref="Start"/> binds every listener of every unit (all or nothing: a
/// failure disposes what was bound and throws <see cref="ListenerBindException"/>); <see cref="RunAsync"/> (listeners
/// only) or <see cref="ServeAsync"/> (listeners and forwarding) serves until the shutdown token fires; then
/// <see cref="DisposeAsync"/>. Shutdown is ordered: stop accepting, let connections see the token, wait for them.
/// </summary>
public sealed class RelayHost : IAsyncDisposable
{
    private readonly IReadOnlyList<RelayUnit> _units;
    private readonly Func<RelayUnit, ListenService, IConnectionHandler> _handlers;
    private readonly ILoggerFactory _loggerFactory;
    private readonly List<Listener> _listeners = [];
    private readonly IReadOnlyList<UnitRuntime> _runtimes = [];

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

    /// <summary>Creates the host of the units' runtimes: their handlers, their forwarders and their admin status.</summary>
    internal RelayHost(IReadOnlyList<UnitRuntime> runtimes, ILoggerFactory loggerFactory)
        : this([.. runtimes.Select(r => r.Unit)], (unit, service) => runtimes.First(r => ReferenceEquals(r.Unit, unit)).HandlerFor(service), loggerFactory)
    {
        _runtimes = runtimes;
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

            foreach (var runtime in _runtimes)
            {
                runtime.Control.Listening = [.. _listeners.Where(l => runtime.Unit.Listeners.Contains(l.Endpoint)).Select(l => EndPointText.Format(l.LocalEndPoint))];
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

    /// <summary>
    /// Serves the listeners and the forwarders (reference §h "Forwarding triggers") until <paramref name="shutdown"/>:
    /// each forwarder's trigger loop, in its unit's log scope, with a startup run for <c>--forward</c>. With no
    /// listener and a one-shot forwarder (<c>--as-client</c>, <c>--dont-serve --forward</c>) it instead runs each
    /// one-shot forwarder once and returns their results.
    /// </summary>
    /// <returns>The one-shot runs' results (empty when serving).</returns>
    internal async Task<IReadOnlyList<(Forwarder Forwarder, ForwardRunResult Result)>> ServeAsync(CancellationToken shutdown)
    {
        var forwarders = _runtimes.Select(r => r.Forwarder).OfType<Forwarder>().ToList();
        var oneShot = forwarders.Where(f => f.Options.ExitAfterRun).ToList();
        if (oneShot.Count > 0 && _listeners.Count == 0)
        {
            var results = new List<(Forwarder, ForwardRunResult)>();
            foreach (var forwarder in oneShot)
            {
                results.Add((forwarder, await forwarder.RunOnceAsync(shutdown)));
            }

            return results;
        }

        var logger = _loggerFactory.CreateLogger("EmailRelay.Smtp.Client");
        var loops = _runtimes.Where(r => r.Forwarder is not null).Select(r =>
        {
            // The loop runs in its unit's log scope, so forwarder lines carry "[<unit>] " with --log-format=unit (reference §k).
            using var unitScope = logger.BeginScope(new ConnectionLogScope(r.Unit.Name, null, 0));
            return r.Forwarder!.RunAsync(shutdown);
        }).ToList();
        foreach (var forwarder in forwarders.Where(f => f.Options.ForwardAtStartup))
        {
            forwarder.Request("forward");
        }

        await RunAsync(shutdown);
        if (_listeners.Count == 0 && loops.Count > 0)
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, shutdown);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await Task.WhenAll(loops);
        return [];
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
