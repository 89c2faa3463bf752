using System.Collections.Concurrent;
using EmailRelay.Net;

namespace EmailRelay.Hosting;

/// <summary>
/// The runtime switch in front of a unit's SMTP handler (admin <c>smtp disable|enable</c>): while disabled, new
/// sessions go to a handler whose policy is disabled (<c>421 service not available</c>); sessions already running
/// are not touched. It also counts connections for admin <c>status</c> (<c>IN started</c>, <c>IN finished</c>, and
/// one <c>IN: &lt;local&gt; &lt;- &lt;peer&gt;</c> line per open connection).
/// </summary>
internal sealed class SmtpConnectionGate : IConnectionHandler
{
    private readonly IConnectionHandler _enabled;
    private readonly IConnectionHandler _disabled;
    private readonly ConcurrentDictionary<long, string> _open = new();
    private long _started;
    private long _finished;
    private volatile bool _isEnabled = true;

    /// <summary>Creates the gate over the normal handler and the disabled-policy handler.</summary>
    public SmtpConnectionGate(IConnectionHandler enabled, IConnectionHandler disabled)
    {
        ArgumentNullException.ThrowIfNull(enabled);
        ArgumentNullException.ThrowIfNull(disabled);
        _enabled = enabled;
        _disabled = disabled;
    }

    /// <summary>True unless disabled by the admin interface.</summary>
    public bool IsEnabled
    {
        get => _isEnabled;
        set => _isEnabled = value;
    }

    /// <summary>Connections accepted so far.</summary>
    public long Started => Interlocked.Read(ref _started);

    /// <summary>Connections ended so far.</summary>
    public long Finished => Interlocked.Read(ref _finished);

    /// <summary>The open connections as <c>&lt;local&gt; &lt;- &lt;peer&gt;</c>, oldest first.</summary>
    public IReadOnlyList<string> Open => [.. _open.OrderBy(p => p.Key).Select(p => p.Value)];

    /// <inheritdoc />
    public async Task HandleAsync(AcceptedConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Interlocked.Increment(ref _started);
        _open[connection.Id] = EndPointText.Format(connection.LocalEndPoint) + " <- " + EndPointText.Format(connection.RemoteEndPoint);
        try
        {
            await (_isEnabled ? _enabled : _disabled).HandleAsync(connection, cancellationToken);
        }
        finally
        {
            _open.TryRemove(connection.Id, out _);
            Interlocked.Increment(ref _finished);
        }
    }
}
