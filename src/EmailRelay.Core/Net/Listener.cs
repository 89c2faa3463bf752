using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using EmailRelay.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Net;

/// <summary>
/// One listening socket and its accept loop. Calling sequence: <see cref="Bind"/> (throws
/// <see cref="ListenerBindException"/>), then <see cref="RunAsync(CancellationToken, CancellationToken)"/> until shutdown, then
/// <see cref="DisposeAsync"/>. Each accepted connection gets TCP_NODELAY, the <c>--remote-clients</c>
/// check, a <see cref="ConnectionLogScope"/>, and is handed to the <see cref="IConnectionHandler"/>; whatever the
/// handler throws is logged once here. The stream is given to the handler unwrapped (no buffering), so an idle
/// connection costs no buffer.
/// </summary>
public sealed class Listener : IAsyncDisposable
{
    /// <summary>The listen backlog: at least 512, well above the kernel default, as connection bursts are normal for a relay.</summary>
    public const int Backlog = 512;

    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;
    private static long s_nextConnectionId;

    private readonly ListenEndpoint _endpoint;
    private readonly string _unit;
    private readonly bool _remoteClients;
    private readonly IConnectionHandler _handler;
    private readonly ILogger _logger;
    private readonly string _serviceName;
    private readonly Func<EndPoint?, bool> _isLocalPeer;
    private readonly ProxyProtocolPolicy? _proxyProtocol;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private Socket? _socket;

    /// <summary>Creates an unbound listener.</summary>
    /// <param name="endpoint">Where to listen.</param>
    /// <param name="unit">The configuration unit's name, for the log scope.</param>
    /// <param name="remoteClients">True to accept peers outside <see cref="LocalNetworks"/> (<c>--remote-clients</c>).</param>
    /// <param name="handler">Serves each connection.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="isLocalPeer">The local-peer test (default <see cref="LocalNetworks.IsLocal(EndPoint?)"/>; tests replace it).</param>
    /// <param name="proxyProtocol">When set, every connection must come from a trusted balancer and start with a PROXY protocol header.</param>
    /// <param name="time">The clock for the PROXY header timeout (default <see cref="TimeProvider.System"/>).</param>
    public Listener(ListenEndpoint endpoint, string unit, bool remoteClients, IConnectionHandler handler, ILogger logger, Func<EndPoint?, bool>? isLocalPeer = null, ProxyProtocolPolicy? proxyProtocol = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(logger);
        _endpoint = endpoint;
        _unit = unit ?? string.Empty;
        _remoteClients = remoteClients;
        _handler = handler;
        _logger = logger;
        _serviceName = ServiceName(endpoint.Service);
        _isLocalPeer = isLocalPeer ?? LocalNetworks.IsLocal;
        _proxyProtocol = proxyProtocol;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The end point this listener is for.</summary>
    public ListenEndpoint Endpoint => _endpoint;

    /// <summary>The bound local address (with the real port when port 0 was asked for), or null before binding.</summary>
    public EndPoint? LocalEndPoint { get; private set; }

    /// <summary>The log word for a service: <c>smtp</c>, <c>pop</c> or <c>admin</c>.</summary>
    public static string ServiceName(ListenService service) => service switch
    {
        ListenService.Smtp => "smtp",
        ListenService.Pop => "pop",
        _ => "admin",
    };

    /// <summary>
    /// Creates, binds and starts listening, and logs <c>smtp server on &lt;addr&gt;</c>. Returns false (and
    /// listens on nothing) only for the implicit <c>::</c> default on a host without IPv6.
    /// </summary>
    public bool Bind()
    {
        ObjectDisposedException.ThrowIf(_socket is not null, this);
        Socket? socket = null;
        try
        {
            socket = CreateSocket();
            if (_endpoint.EndPoint is { } ep)
            {
                socket.Bind(ep);
            }

            socket.Listen(Backlog);
        }
        catch (SocketException ex) when (_endpoint.IsDefault && IsNoIPv6(ex))
        {
            socket?.Dispose();
            return false;
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            socket?.Dispose();
            throw new ListenerBindException(
                "cannot bind the listening port: " + _serviceName + " server on " + _endpoint.DisplayText + ": " + ex.Message, ex);
        }

        _socket = socket;
        LocalEndPoint = socket.LocalEndPoint;
        var shown = _endpoint.EndPoint is IPEndPoint ? EndPointText.Format(socket.LocalEndPoint) : _endpoint.DisplayText;
        Log.ServerListening(_logger, _serviceName, shown);
        return true;
    }

    /// <summary>Accepts connections until <paramref name="cancellationToken"/> fires, then waits for the running connections to end.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken, cancellationToken);

    /// <summary>
    /// Accepts connections until <paramref name="draining"/> (or <paramref name="cancellationToken"/>) fires, then
    /// waits for the running connections to end. A connection sees <paramref name="draining"/> as
    /// <see cref="AcceptedConnection.Draining"/> (it ends at its next command boundary) and
    /// <paramref name="cancellationToken"/> as its handler's token (it ends at once).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken, CancellationToken draining)
    {
        var socket = _socket ?? throw new InvalidOperationException("Bind() first");
        using var stopAccepting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, draining);
        while (!stopAccepting.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await socket.AcceptAsync(stopAccepting.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex)
            {
                // Transient (ECONNABORTED, EMFILE...): log and keep accepting.
                Log.AcceptFailed(_logger, _serviceName, ex.Message);
                continue;
            }

            Serve(accepted, cancellationToken, draining);
        }

        // Stop accepting (issue 22): the connections the kernel has already completed are taken and told (421) rather
        // than reset by the close, then the listening socket is closed so that new clients are refused.
        try
        {
            while (!cancellationToken.IsCancellationRequested && socket.Poll(0, SelectMode.SelectRead))
            {
                Serve(await socket.AcceptAsync(cancellationToken), cancellationToken, draining);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // closed or shut down already
        }

        Close();
        await Task.WhenAll(_connections.Values);
    }

    private void Serve(Socket accepted, CancellationToken cancellationToken, CancellationToken draining)
    {
        var id = Interlocked.Increment(ref s_nextConnectionId);
        var task = ServeAsync(accepted, id, cancellationToken, draining);
        _connections[id] = task;
        _ = task.ContinueWith(_ => _connections.TryRemove(id, out var _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the listening socket (and removes a unix socket's file); running connections are not touched.</summary>
    public void Close()
    {
        _socket?.Dispose();
        if (_endpoint.EndPoint is UnixDomainSocketEndPoint unix && _socket is not null)
        {
            try
            {
                File.Delete(unix.ToString());
            }
            catch (IOException)
            {
                // best effort
            }
            catch (UnauthorizedAccessException)
            {
                // best effort
            }
        }
    }

    private Socket CreateSocket()
    {
        if (_endpoint.InheritedDescriptor is int fd)
        {
            return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        }

        switch (_endpoint.EndPoint)
        {
            case IPEndPoint ip:
                var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                if (ip.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    socket.DualMode = false; // IPV6_V6ONLY, so 0.0.0.0 and :: both bind
                }

                // Raw SO_REUSEADDR: the managed ReuseAddress option also sets SO_REUSEPORT on Linux,
                // which would let a second process bind the same port.
                if (OperatingSystem.IsLinux())
                {
                    socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
                }

                return socket;
            case UnixDomainSocketEndPoint:
                return new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            default:
                throw new ArgumentException("unsupported address");
        }
    }

    private async Task ServeAsync(Socket socket, long id, CancellationToken cancellationToken, CancellationToken draining)
    {
        await Task.Yield();
        var balancer = socket.RemoteEndPoint;
        var peer = balancer;
        EmailRelay.Protocol.Proxy.ProxyHeader? header = null;
        if (_proxyProtocol is not null)
        {
            try
            {
                (header, peer) = await ReadProxyHeaderAsync(socket, id, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                peer = null; // shutdown
            }

            if (peer is null)
            {
                socket.Dispose();
                return;
            }
        }

        using var scope = _logger.BeginScope(new ConnectionLogScope(_unit, peer is IPEndPoint ? peer : null, id));
        if (!_remoteClients && !_isLocalPeer(peer))
        {
            var address = peer is IPEndPoint ip ? EndPointText.FormatAddress(ip.Address) : EndPointText.Format(peer);
            Log.NonLocalRejected(_logger, _serviceName, address, LocalNetworks.Description);
            socket.Dispose();
            return;
        }

        if (socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
        {
            socket.NoDelay = true;
        }

        try
        {
            var connection = header is null
                ? new AcceptedConnection(socket, id) { Draining = draining }
                : new AcceptedConnection(socket, id) { RemoteEndPoint = peer, BalancerEndPoint = balancer, ProxyHeader = header, Draining = draining };
            await _handler.HandleAsync(connection, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // shutdown
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(_logger, _serviceName, ex.Message, ex);
            socket.Dispose();
        }
    }

    /// <summary>
    /// The PROXY protocol step (before the access rules and the session): the header and the client it names, or a
    /// null client when the connection is to be closed (an untrusted peer, a bad or late header; logged here).
    /// </summary>
    private async Task<(EmailRelay.Protocol.Proxy.ProxyHeader? Header, EndPoint? Client)> ReadProxyHeaderAsync(Socket socket, long id, CancellationToken cancellationToken)
    {
        var policy = _proxyProtocol!;
        var balancer = socket.RemoteEndPoint;
        using var scope = _logger.BeginScope(new ConnectionLogScope(_unit, balancer is IPEndPoint ? balancer : null, id));
        var address = balancer is IPEndPoint ip ? EndPointText.FormatAddress(ip.Address) : EndPointText.Format(balancer);
        if (!policy.IsTrusted(balancer))
        {
            Log.ProxyUntrusted(_logger, _serviceName, address);
            return (null, null);
        }

        var outcome = await ProxyHeaderReader.ReadAsync(socket, policy.Timeout, _time, cancellationToken);
        if (outcome.Header is not { } header)
        {
            Log.ProxyFailed(_logger, _serviceName, address, outcome.Error ?? "no header");
            return (null, null);
        }

        var client = outcome.ClientOr(balancer);
        var tls = header.Tls is { UsedTls: true } t ? ", TLS " + (t.Version ?? "") + (t.CommonName is { } cn ? " cn=" + cn : "") : "";
        var clientText = EndPointText.Format(client);
        var balancerText = EndPointText.Format(balancer);
        Log.ProxyAccepted(_logger, _serviceName, clientText, balancerText, header.Version, tls);

        return (header, client);
    }

    private static bool IsNoIPv6(SocketException ex) =>
        ex.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable or SocketError.ProtocolNotSupported;
}
