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

    /// <summary>The peer's address (an <see cref="IPEndPoint"/>, or a <see cref="UnixDomainSocketEndPoint"/>).</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}
