using EmailRelay.Net;

namespace EmailRelay.Smtp.Client;

/// <summary>
/// Wraps the SMTP server's handler so that every closed connection, whatever the reason, asks for a forwarding
/// run (<c>--forward-on-disconnect</c>, <c>--as-proxy</c>; reference §h). The log shows
/// <c>forwarding: [client disconnect]</c>.
/// </summary>
/// <param name="inner">The SMTP server handler.</param>
/// <param name="forwarder">The unit's forwarder.</param>
internal sealed class ForwardOnDisconnectHandler(IConnectionHandler inner, Forwarder forwarder) : IConnectionHandler
{
    /// <summary>Wraps <paramref name="inner"/> when the forwarder wants disconnect triggers.</summary>
    /// <param name="inner">The handler.</param>
    /// <param name="forwarder">The forwarder, or null.</param>
    /// <returns>The handler to use.</returns>
    public static IConnectionHandler Wrap(IConnectionHandler inner, Forwarder? forwarder) =>
        forwarder is { Options.ForwardOnDisconnect: true } ? new ForwardOnDisconnectHandler(inner, forwarder) : inner;

    /// <inheritdoc />
    public async Task HandleAsync(AcceptedConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await inner.HandleAsync(connection, cancellationToken);
        }
        finally
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                forwarder.Request("client disconnect");
            }
        }
    }
}
