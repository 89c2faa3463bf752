using EmailRelay.Net;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Admin;

/// <summary>
/// Serves accepted admin connections (<c>--admin</c>): one <see cref="AdminConnection"/> each. The listener has
/// already refused non-local peers unless <c>--remote-clients</c>.
/// </summary>
internal sealed class AdminConnectionHandler : IConnectionHandler
{
    private readonly IRelayControl _control;
    private readonly bool _allowTerminate;
    private readonly ILogger _logger;

    /// <summary>Creates the handler.</summary>
    /// <param name="control">The relay the commands act on.</param>
    /// <param name="allowTerminate">True with <c>--admin-terminate</c>.</param>
    /// <param name="logger">The logger.</param>
    public AdminConnectionHandler(IRelayControl control, bool allowTerminate, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(logger);
        _control = control;
        _allowTerminate = allowTerminate;
        _logger = logger;
    }

    /// <summary>The longest admin line (<see cref="RelayLimits.AdminMaxLineLength"/>).</summary>
    public int MaxLineLength { get; init; } = RelayLimits.Default.AdminMaxLineLength;

    /// <inheritdoc />
    public async Task HandleAsync(AcceptedConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using (connection)
        {
            var peer = EndPointText.Format(connection.RemoteEndPoint);
            Log.Connected(_logger, peer);
            await new AdminConnection(connection.Stream, _control, _allowTerminate, _logger, peer, MaxLineLength).RunAsync(cancellationToken, connection.Draining);
        }
    }
}
