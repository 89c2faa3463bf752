namespace EmailRelay.Net;

/// <summary>
/// Serves one accepted connection (SMTP, POP or admin). The listener has already applied the
/// <c>--remote-clients</c> rule and set TCP_NODELAY. The handler owns the connection: it must dispose
/// it when done. Exceptions escaping <see cref="HandleAsync"/> are logged once by the listener.
/// </summary>
public interface IConnectionHandler
{
    /// <summary>Runs the protocol on the connection until it closes or <paramref name="cancellationToken"/> (shutdown) fires.</summary>
    Task HandleAsync(AcceptedConnection connection, CancellationToken cancellationToken);
}
