using EmailRelay.Net;

namespace EmailRelay.Pop3;

/// <summary>The POP3 listener's handler: one <see cref="Pop3ServerConnection"/> per accepted connection.</summary>
internal sealed class Pop3ServerConnectionHandler : IConnectionHandler
{
    private readonly Pop3ServerOptions _options;
    private readonly Pop3ServerServices _services;

    /// <summary>Creates the handler.</summary>
    public Pop3ServerConnectionHandler(Pop3ServerOptions options, Pop3ServerServices services)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        _options = options;
        _services = services;
    }

    /// <inheritdoc/>
    public async Task HandleAsync(AcceptedConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using (connection)
        {
            using var pop = new Pop3ServerConnection(connection.Stream, connection.RemoteEndPoint, connection.Id, _options, _services, connection.Socket);
            await pop.RunAsync(cancellationToken, connection.Draining);
        }
    }
}
