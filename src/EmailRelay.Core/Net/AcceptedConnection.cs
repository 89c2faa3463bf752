using System.Net;
using System.Net.Sockets;

namespace EmailRelay.Net;

/// <summary>An accepted connection handed to an <see cref="IConnectionHandler"/>, which disposes it.</summary>
public sealed class AcceptedConnection : IAsyncDisposable
{
    /// <summary>Wraps an accepted socket.</summary>
    public AcceptedConnection(Socket socket, long id)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Socket = socket;
        Id = id;
        Stream = new NetworkStream(socket, ownsSocket: true);
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
    }

    /// <summary>A process-wide connection number, for logging scopes.</summary>
    public long Id { get; }

    /// <summary>The socket (for shutdown and options). Use <see cref="Stream"/> for data.</summary>
    public Socket Socket { get; }

    /// <summary>The transport stream; a STARTTLS upgrade wraps it in an <c>SslStream</c>.</summary>
    public NetworkStream Stream { get; }

    /// <summary>The local address the client connected to.</summary>
    public EndPoint? LocalEndPoint { get; }

    /// <summary>
    /// The client's address (an <see cref="IPEndPoint"/>, or a <see cref="UnixDomainSocketEndPoint"/>): the socket's
    /// peer, or behind a PROXY protocol balancer the real client the header names. Everything that uses the peer
    /// address (access rules, trusted-address secrets, DNSBL, logs, <c>Received</c>, the envelope, filters) reads this.
    /// </summary>
    public EndPoint? RemoteEndPoint { get; init; }

    /// <summary>The balancer's address when a PROXY protocol header gave <see cref="RemoteEndPoint"/>, else null.</summary>
    public EndPoint? BalancerEndPoint { get; init; }

    /// <summary>The PROXY protocol header the connection started with, or null.</summary>
    public EmailRelay.Protocol.Proxy.ProxyHeader? ProxyHeader { get; init; }

    /// <summary>
    /// Fires when the relay starts draining (issue 22): the connection ends at its next command boundary, after a
    /// message whose content is arriving. The handler's cancellation token still ends it at once.
    /// </summary>
    public CancellationToken Draining { get; init; }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}
