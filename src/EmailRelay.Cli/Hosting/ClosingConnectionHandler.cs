using EmailRelay.Net;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Cli.Hosting;

/// <summary>
/// A stand-in handler until the protocol drivers are wired in: logs <c>&lt;service&gt; connection from &lt;peer&gt;</c>
/// and closes the connection.
/// </summary>
internal sealed partial class ClosingConnectionHandler : IConnectionHandler
{
    private readonly string _service;
    private readonly ILogger _logger;

    /// <summary>Creates the handler for a service word (<c>smtp</c>, <c>pop</c>, <c>admin</c>).</summary>
    public ClosingConnectionHandler(string service, ILogger logger)
    {
        _service = service;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task HandleAsync(AcceptedConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using (connection)
        {
            var peer = EndPointText.Format(connection.RemoteEndPoint);
            LogConnection(_logger, _service, peer);
        }
    }

    [LoggerMessage(EventId = 9000, Level = LogLevel.Information, Message = "{Service} connection from {Peer}")]
    private static partial void LogConnection(ILogger logger, string service, string peer);
}
