using EmailRelay.Events;

namespace EmailRelay.Smtp.Client;

/// <summary>
/// One upstream connection slot of the forwarder: the open connection, if any, the address and account selector
/// (<see cref="Key"/>) it was opened for, and when it last carried a message. Used by one worker at a time.
/// </summary>
internal sealed class UpstreamLane(RelayEvents events)
{
    /// <summary>The open connection, or null.</summary>
    public SmtpClientConnection? Connection { get; private set; }

    /// <summary>The address and account selector the connection is for.</summary>
    public string? Key { get; private set; }

    /// <summary>The host of a failover list the connection went to (as the list shows it), for log lines.</summary>
    public string Host { get; private set; } = "";

    /// <summary>When the connection last carried a message (or opened): <see cref="TimeProvider.GetTimestamp"/>.</summary>
    public long LastUsed { get; set; }

    /// <summary>
    /// Keeps the connection for a message to <paramref name="key"/> if it is for that key, usable, and still open
    /// with nothing unread; otherwise closes it. Returns whether one is kept.
    /// </summary>
    public async ValueTask<bool> TryReuseAsync(string key, CancellationToken cancellationToken)
    {
        if (Connection is not { } connection)
        {
            return false;
        }

        if (Key == key && connection.IsUsable && connection.IsOpenAndQuiet())
        {
            return true;
        }

        await CloseAsync(cancellationToken);
        return false;
    }

    /// <summary>Takes a just-connected connection for <paramref name="key"/> and raises <see cref="RelayEventKind.UpstreamConnecting"/>.</summary>
    public void Attach(SmtpClientConnection connection, string key, long now, string host = "")
    {
        Connection = connection;
        Key = key;
        Host = host;
        LastUsed = now;
        connection.Events = events;
        events.Upstream(RelayEventKind.UpstreamConnecting, connection.Peer);
    }

    /// <summary>Closes the connection if one is open (QUIT, best effort) and raises <see cref="RelayEventKind.UpstreamClosed"/>.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (Connection is { } connection)
        {
            Connection = null;
            Key = null;
            try
            {
                await connection.QuitAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or TimeoutException or System.Net.Sockets.SocketException
                or System.Security.Authentication.AuthenticationException)
            {
                // The connection is going anyway; a failed QUIT must neither leak it nor end the forwarder.
            }
            finally
            {
                await connection.DisposeAsync();
                events.Upstream(RelayEventKind.UpstreamClosed, connection.Peer);
            }
        }
    }
}
