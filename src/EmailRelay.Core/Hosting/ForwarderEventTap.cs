using Microsoft.Extensions.Logging;

namespace EmailRelay.Hosting;

/// <summary>
/// The forwarder's logger, tapped for admin <c>notify</c> (reference §h): the forwarder's log events (ids 1200-1213)
/// become <c>EVENT:</c> lines and the OUT counters of <see cref="RelayControl"/>, in E-MailRelay's order
/// (<c>client: forward: start: &lt;reason&gt;</c>, <c>network: out: start</c>, <c>client: connecting: &lt;addr&gt;</c>,
/// <c>client: sending: &lt;id&gt;</c>, <c>client: connected: &lt;addr&gt;</c> (at the server's first reply line),
/// <c>client: sent: &lt;id&gt;</c>, <c>network: out: stop</c>,
/// <c>client: forward: end</c>). Everything is passed on to the inner logger unchanged.
/// </summary>
internal sealed class ForwarderEventTap : ILoggerFactory
{
    private readonly ILoggerFactory _inner;
    private readonly Lock _lock = new();
    private int _connected; // connections open (1200 less 1219), under _lock
    private string? _pendingSending;
    private string? _connecting;

    /// <summary>Creates the tap over the real logger factory.</summary>
    public ForwarderEventTap(ILoggerFactory inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    /// <summary>Where events go (set once the unit's control exists).</summary>
    public RelayControl? Control { get; set; }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new TapLogger(this, _inner.CreateLogger(categoryName));

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider) => _inner.AddProvider(provider);

    /// <inheritdoc />
    public void Dispose()
    {
        // The inner factory belongs to the caller.
    }

    private static string Value(IReadOnlyList<KeyValuePair<string, object?>>? state, string key) =>
        state?.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.Ordinal)).Value?.ToString() ?? "";

    private void OnEvent(EventId eventId, IReadOnlyList<KeyValuePair<string, object?>>? state)
    {
        if (Control is not { } control)
        {
            return;
        }

        // The forwarder logs "forwarding [id]" before it connects (lazily, per message); E-MailRelay's events show
        // the connection first, so "sending" waits for the next event.
        lock (_lock)
        {
            if (eventId.Id == 1205)
            {
                _pendingSending = Value(state, "Id");
                return;
            }

            if (eventId.Id != 1200)
            {
                FlushPending(control);
            }

            Publish(control, eventId, state);
            if (eventId.Id == 1200)
            {
                FlushPending(control);
            }
        }
    }

    private void FlushPending(RelayControl control)
    {
        if (_pendingSending is { } id)
        {
            _pendingSending = null;
            control.Publish("client", "sending", id);
        }
    }

    private void Publish(RelayControl control, EventId eventId, IReadOnlyList<KeyValuePair<string, object?>>? state)
    {
        switch (eventId.Id)
        {
            case 1204:
                control.Publish("client", "forward", "start", Value(state, "Reason"));
                break;
            case 1200:
                _connected++;
                control.OutStarted();
                _connecting = Value(state, "Target");
                control.Publish("client", "connecting", _connecting);
                break;
            case 1201:
                if (_connecting is { } target)
                {
                    _connecting = null;
                    control.Publish("client", "connected", target);
                }

                break;
            case 1213:
                control.Publish("client", "sent", Value(state, "Id"));
                break;
            case 1211:
                control.Publish("client", "failed", Value(state, "Id"), Value(state, "Reason"));
                break;
            case 1219:
                // One per connection closed (several lanes, --immediate sessions, connections kept between runs).
                if (_connected > 0)
                {
                    _connected--;
                    control.OutFinished();
                }

                break;
            case 1206 or 1209:
                // E-MailRelay's order puts "network: out: stop" before "client: forward: end".
                _connecting = null;
                for (; _connected > 0; _connected--)
                {
                    control.OutFinished();
                }

                control.Publish("client", "forward", "end");
                break;
        }
    }

    private static bool IsTapped(EventId eventId) => eventId.Id is 1200 or 1201 or 1204 or 1205 or 1206 or 1209 or 1211 or 1213 or 1219;

    private sealed class TapLogger(ForwarderEventTap owner, ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        // Tapped events are Debug level: the source-generated methods must run even when the log does not show them.
        public bool IsEnabled(LogLevel logLevel) => owner.Control is not null || inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsTapped(eventId))
            {
                owner.OnEvent(eventId, state as IReadOnlyList<KeyValuePair<string, object?>>);
            }

            if (inner.IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
