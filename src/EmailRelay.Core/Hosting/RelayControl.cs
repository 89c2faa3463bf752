using System.Runtime.CompilerServices;
using EmailRelay.Admin;
using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;

namespace EmailRelay.Hosting;

/// <summary>
/// One unit's <see cref="IRelayControl"/>: the spool for <c>list</c>/<c>failures</c>/<c>unfail-all</c>, the
/// <see cref="SmtpConnectionGate"/> for <c>smtp</c> and the IN counters, and the forwarder seam
/// (<see cref="ForwardRequest"/>, <see cref="Flush"/>; null while the unit has no forwarder, which gives
/// <c>no remote server configured: use --forward-to</c>). The forwarder reports through <see cref="Publish"/>,
/// <see cref="OutStarted"/> and <see cref="OutFinished"/>.
/// </summary>
internal sealed class RelayControl : IRelayControl
{
    /// <summary>The reply when there is nothing to forward to (reference §h).</summary>
    public const string NoRemoteServer = "no remote server configured: use --forward-to";

    private readonly IMessageSpool _spool;
    private readonly SmtpConnectionGate? _smtp;
    private readonly TimeProvider _timeProvider;
    private readonly Action _terminate;
    private readonly Lock _lock = new();
    private readonly List<Action<IReadOnlyList<string>>> _subscribers = [];
    private int _subscriberCount;
    private long _outStarted;
    private long _outFinished;
    private DateTimeOffset? _dnsblStoppedUntil;
    private bool _dnsblStopped;

    /// <summary>Creates the control for a unit.</summary>
    /// <param name="spool">The unit's spool.</param>
    /// <param name="smtp">The unit's SMTP gate, or null when it serves no SMTP.</param>
    /// <param name="timeProvider">For <c>dnsbl stop &lt;secs&gt;</c>.</param>
    /// <param name="terminate">Stops the whole process (admin <c>terminate</c>).</param>
    public RelayControl(IMessageSpool spool, SmtpConnectionGate? smtp, TimeProvider timeProvider, Action terminate)
    {
        ArgumentNullException.ThrowIfNull(spool);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(terminate);
        _spool = spool;
        _smtp = smtp;
        _timeProvider = timeProvider;
        _terminate = terminate;
    }

    /// <summary>The forwarder's "request a run" (the argument is the reason). Null: no forwarder.</summary>
    public Action<string>? ForwardRequest { get; set; }

    /// <summary>The SMTP connection counts of <c>status</c>; the composition subscribes it to the unit's events.</summary>
    public InboundConnections Inbound { get; } = new();

    /// <summary>The forwarder's "run a client of its own once and wait"; returns null or an error text. Null: no forwarder.</summary>
    public Func<CancellationToken, Task<string?>>? Flush { get; set; }

    /// <summary>The unit's bound listening addresses, for <c>status</c> (set once the host has bound them).</summary>
    public IReadOnlyList<string> Listening { get; set; } = [];

    /// <summary>True unless DNSBL checking is stopped by the admin interface.</summary>
    public bool IsDnsblEnabled
    {
        get
        {
            lock (_lock)
            {
                return !_dnsblStopped || (_dnsblStoppedUntil is { } until && _timeProvider.GetUtcNow() >= until);
            }
        }
    }

    /// <inheritdoc />
    public int ProcessId => Environment.ProcessId;

    /// <inheritdoc />
    public string? ForwardingUnavailable => ForwardRequest is null ? NoRemoteServer : null;

    /// <inheritdoc />
    public void RequestForward(string reason) => ForwardRequest?.Invoke(reason);

    /// <inheritdoc />
    public Task<string?> FlushAsync(CancellationToken cancellationToken) =>
        Flush is { } flush ? flush(cancellationToken) : Task.FromResult<string?>(NoRemoteServer);

    /// <inheritdoc />
    public async IAsyncEnumerable<MessageId> ListAsync(SpoolView view, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var id in _spool.ListAsync(view, cancellationToken))
        {
            yield return id;
        }
    }

    /// <inheritdoc />
    public ValueTask<int> UnfailAllAsync(CancellationToken cancellationToken) => _spool.UnfailAllAsync(cancellationToken);

    /// <inheritdoc />
    public IReadOnlyList<string> StatusLines()
    {
        var lines = new List<string>();
        lines.AddRange(Listening.Select(l => "LISTEN: " + l));
        lines.Add("OUT started: " + Interlocked.Read(ref _outStarted));
        lines.Add("OUT finished: " + Interlocked.Read(ref _outFinished));
        lines.Add("IN started: " + Inbound.Started);
        lines.Add("IN finished: " + Inbound.Finished);
        lines.AddRange(Inbound.Open.Select(c => "IN: " + c));

        return lines;
    }

    /// <inheritdoc />
    public void SetSmtpEnabled(bool enabled)
    {
        if (_smtp is not null)
        {
            _smtp.IsEnabled = enabled;
        }
    }

    /// <inheritdoc />
    public void StopDnsbl(TimeSpan? duration)
    {
        lock (_lock)
        {
            _dnsblStopped = true;
            _dnsblStoppedUntil = duration is { } d ? _timeProvider.GetUtcNow() + d : null;
        }
    }

    /// <inheritdoc />
    public void StartDnsbl()
    {
        lock (_lock)
        {
            _dnsblStopped = false;
            _dnsblStoppedUntil = null;
        }
    }

    /// <inheritdoc />
    public void Terminate() => _terminate();

    /// <inheritdoc />
    public IDisposable Subscribe(Action<IReadOnlyList<string>> onEvent)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        lock (_lock)
        {
            _subscribers.Add(onEvent);
            _subscriberCount = _subscribers.Count;
        }

        return new Subscription(this, onEvent);
    }

    /// <summary>Whether any admin client has asked for <c>notify</c>.</summary>
    public bool HasSubscribers => Volatile.Read(ref _subscriberCount) != 0;

    /// <summary>Sends an event to every <c>notify</c> subscriber (e.g. <c>client</c>, <c>sending</c>, id).</summary>
    public void Publish(params IReadOnlyList<string> parts)
    {
        Action<IReadOnlyList<string>>[] subscribers;
        lock (_lock)
        {
            subscribers = [.. _subscribers];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber(parts);
        }
    }

    /// <summary>Counts an outgoing client connection (<c>OUT started</c>) and publishes <c>network: out: start</c>.</summary>
    public void OutStarted()
    {
        Interlocked.Increment(ref _outStarted);
        if (HasSubscribers)
        {
            Publish("network", "out", "start");
        }
    }

    /// <summary>Counts the end of an outgoing client connection (<c>OUT finished</c>) and publishes <c>network: out: stop</c>.</summary>
    public void OutFinished()
    {
        Interlocked.Increment(ref _outFinished);
        if (HasSubscribers)
        {
            Publish("network", "out", "stop");
        }
    }

    private void Unsubscribe(Action<IReadOnlyList<string>> onEvent)
    {
        lock (_lock)
        {
            _subscribers.Remove(onEvent);
            _subscriberCount = _subscribers.Count;
        }
    }

    private sealed class Subscription(RelayControl owner, Action<IReadOnlyList<string>> onEvent) : IDisposable
    {
        public void Dispose() => owner.Unsubscribe(onEvent);
    }
}
