using EmailRelay.Net;

namespace EmailRelay.Smtp.Server;

/// <summary>
/// Serves accepted SMTP connections: one <see cref="SmtpServerConnection"/> per connection, which
/// runs until the session ends; the connection is disposed afterwards.
/// </summary>
internal sealed class SmtpServerConnectionHandler : IConnectionHandler
{
    private readonly SmtpServerOptions _options;
    private readonly SmtpServerServices _services;

    /// <summary>Creates the handler.</summary>
    public SmtpServerConnectionHandler(SmtpServerOptions options, SmtpServerServices services)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        _options = options;
        _services = services;
    }

    /// <inheritdoc />
    public async Task HandleAsync(AcceptedConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using (connection)
        {
            using var smtp = new SmtpServerConnection(connection.Stream, connection.RemoteEndPoint, connection.Id, _options, _services, connection.Socket) { LocalEndPoint = connection.LocalEndPoint };
            await smtp.RunAsync(cancellationToken, connection.Draining);
        }
    }
}
