using EmailRelay.Net;

namespace EmailRelay.Hosting;

/// <summary>
/// The runtime switch in front of a unit's SMTP handler (admin <c>smtp disable|enable</c>): while disabled, new
/// sessions go to a handler whose policy is disabled (<c>421 service not available</c>); sessions already running
/// are not touched. (Admin <c>status</c>'s connection counts come from the event stream: <see cref="InboundConnections"/>.)
/// </summary>
internal sealed class SmtpConnectionGate : IConnectionHandler
{
    private readonly IConnectionHandler _enabled;
    private readonly IConnectionHandler _disabled;
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

    /// <inheritdoc />
    public Task HandleAsync(AcceptedConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (_isEnabled ? _enabled : _disabled).HandleAsync(connection, cancellationToken);
    }
}
