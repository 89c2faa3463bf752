using EmailRelay.Diagnostics;
using EmailRelay.Net;
using EmailRelay.Smtp.Client;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Hosting;

/// <summary>
/// Starts and stops everything long-running: the listeners of every unit and, built from the units' runtimes, their
/// forwarders' loops. Calling sequence: <see cref="Start"/> binds every listener of every unit (all or nothing: a
/// failure disposes what was bound and throws <see cref="ListenerBindException"/>); <see cref="RunAsync(CancellationToken, CancellationToken)"/>
/// (listeners only) or <see cref="ServeAsync(CancellationToken, CancellationToken)"/> (listeners and forwarding) serves
/// until the shutdown tokens fire; then <see cref="DisposeAsync"/>. Shutdown is ordered: stop accepting, let
/// connections see the drain (idle ones get 421, a message whose content is arriving may finish until
/// <see cref="DrainTimeout"/>), stop forwarding between messages, wait for them.
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

    /// <summary>
    /// How long a drain lets a message whose content is arriving finish (<c>--drain-timeout</c>, issue 22); when it
    /// has passed, every connection still open gets 421 at once and its unacknowledged message is discarded.
    /// </summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The clock of <see cref="DrainTimeout"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Serves until <paramref name="shutdown"/> fires and every connection has ended. Returns at once when there is nothing to serve.</summary>
    public Task RunAsync(CancellationToken shutdown) => RunAsync(shutdown, shutdown);

    /// <summary>
    /// Serves until <paramref name="draining"/> or <paramref name="abort"/> fires and every connection has ended.
    /// A drain stops accepting, closes idle sessions with 421 and lets a message whose content is arriving finish;
    /// <paramref name="abort"/> (and <see cref="DrainTimeout"/> after the drain began) ends every connection at once.
    /// </summary>
    public async Task RunAsync(CancellationToken draining, CancellationToken abort)
    {
        if (_listeners.Count == 0)
        {
            return;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(abort);
        using var arm = draining.Register(() => ArmDeadline(deadline));
        var loops = _listeners.Select(l => l.RunAsync(deadline.Token, draining)).ToList();
        await Task.WhenAll(loops);
    }

    /// <summary>
    /// Serves the listeners and the forwarders (reference §h "Forwarding triggers") until <paramref name="shutdown"/>:
    /// each forwarder's trigger loop, in its unit's log scope, with a startup run for <c>--forward</c>. With no
    /// listener and a one-shot forwarder (<c>--as-client</c>, <c>--dont-serve --forward</c>) it instead runs each
    /// one-shot forwarder once and returns their results.
    /// </summary>
    /// <returns>The one-shot runs' results (empty when serving).</returns>
    internal Task<IReadOnlyList<(Forwarder Forwarder, ForwardRunResult Result)>> ServeAsync(CancellationToken shutdown) => ServeAsync(shutdown, shutdown);

    /// <summary>
    /// As <see cref="ServeAsync(CancellationToken)"/>, with a drain (issue 22): <paramref name="draining"/> stops
    /// accepting, closes idle sessions with 421, lets a message whose content is arriving finish, and stops forwarding
    /// between messages; <paramref name="abort"/> (a second signal) or <see cref="DrainTimeout"/> ends everything at once.
    /// </summary>
    internal async Task<IReadOnlyList<(Forwarder Forwarder, ForwardRunResult Result)>> ServeAsync(CancellationToken draining, CancellationToken abort)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(abort);
        using var arm = draining.Register(() => ArmDeadline(deadline));
        var shutdown = deadline.Token;
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
            return r.Forwarder!.RunAsync(shutdown, draining);
        }).ToList();
        foreach (var forwarder in forwarders.Where(f => f.Options.ForwardAtStartup))
        {
            forwarder.Request("forward");
        }

        await RunAsync(draining, shutdown);
        if (_listeners.Count == 0 && loops.Count > 0)
        {
            try
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(draining, shutdown);
                await Task.Delay(Timeout.InfiniteTimeSpan, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await Task.WhenAll(loops);
        return [];
    }

    private void ArmDeadline(CancellationTokenSource deadline)
    {
        try
        {
            if (DrainTimeout <= TimeSpan.Zero)
            {
                deadline.Cancel();
                return;
            }

            // The timer runs on TimeProvider, so driver tests can pass the deadline with a fake clock.
            var timer = TimeProvider.CreateTimer(static state => Cancel((CancellationTokenSource)state!), deadline, DrainTimeout, Timeout.InfiniteTimeSpan);
            deadline.Token.Register(static state => ((ITimer)state!).Dispose(), timer);
        }
        catch (ObjectDisposedException)
        {
            // serving has ended already
        }
    }

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // serving has ended already
        }
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
