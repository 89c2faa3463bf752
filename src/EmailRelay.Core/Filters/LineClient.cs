using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EmailRelay.Filters;

/// <summary>
/// A persistent request/response line connection to a <c>net:</c> filter or verifier (reference §c): one
/// request line out, one reply line back, one request at a time. The connection is kept open and reused;
/// if a reused connection turns out to have been dropped, it reconnects once and repeats the request.
/// Connecting and each reply are bounded by the timeout. Failures throw <see cref="IOException"/> or
/// <see cref="TimeoutException"/> with the text to report (a reply's: <c>response timeout: no response after 1s
/// while connected to 127.0.0.1:P</c>).
/// </summary>
internal sealed class LineClient : IAsyncDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly string _address;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;
    private Socket? _socket;
    private NetworkStream? _stream;
    private StreamReader? _reader;

    /// <summary>Creates the client; nothing connects until the first request.</summary>
    /// <param name="address"><c>host:port</c>, <c>[ipv6]:port</c> or an absolute unix-domain socket path.</param>
    /// <param name="timeout">The connect and response timeout.</param>
    /// <param name="timeProvider">The clock for the timeout.</param>
    public LineClient(string address, TimeSpan timeout, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        _address = address;
        _timeout = timeout > TimeSpan.Zero ? timeout : Timeout.InfiniteTimeSpan;
        _timeProvider = timeProvider;
    }

    /// <summary>The number of connections made so far (for tests of the reconnect).</summary>
    public int Connections { get; private set; }

    /// <summary>Sends <paramref name="line"/> (a newline is added) and returns the reply line without its ending.</summary>
    public async Task<string> RequestAsync(string line, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            using var limit = new CancellationTokenSource(_timeout, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
            var reused = _stream is not null;
            try
            {
                try
                {
                    return await ExchangeAsync(line, linked.Token);
                }
                catch (Exception e) when (reused && e is IOException or SocketException && !linked.IsCancellationRequested)
                {
                    Disconnect();
                    return await ExchangeAsync(line, linked.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException && limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                var text = TimeoutText();
                Disconnect();
                throw new TimeoutException(text);
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                Disconnect();
                throw new IOException(e.Message, e);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Disconnect();
        _lock.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string> ExchangeAsync(string line, CancellationToken cancellationToken)
    {
        if (_stream is null)
        {
            await ConnectAsync(cancellationToken);
        }

        await _stream!.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cancellationToken);
        var reply = await _reader!.ReadLineAsync(cancellationToken);
        return reply ?? throw new IOException("connection closed by peer");
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        EndPoint endPoint = ParseEndPoint(_address);
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, Encoding.UTF8, false, 1024, leaveOpen: true);
        Connections++;
    }

    // E-MailRelay's wording: "response timeout: no response after 1s while connected to 127.0.0.1:P" once connected.
    private string TimeoutText()
    {
        var seconds = ((long)Math.Ceiling(_timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s";
        if (_socket is { Connected: true } socket)
        {
            var peer = socket.RemoteEndPoint is IPEndPoint ip ? EmailRelay.Net.EndPointText.Format(ip) : _address;
            return "response timeout: no response after " + seconds + " while connected to " + peer;
        }

        return "connection timeout: no connection after " + seconds + " to " + _address;
    }

    private void Disconnect()
    {
        _reader?.Dispose();
        _stream?.Dispose();
        _socket?.Dispose();
        _reader = null;
        _stream = null;
        _socket = null;
    }

    /// <summary>Parses <c>host:port</c>, <c>[ipv6]:port</c> or an absolute socket path.</summary>
    public static EndPoint ParseEndPoint(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.StartsWith('/'))
        {
            return new UnixDomainSocketEndPoint(address);
        }

        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new IOException("invalid address: " + address);
        }

        var host = address[..colon].Trim('[', ']');
        return IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port);
    }
}
