using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EmailRelay.Testing.Tools;

/// <summary>
/// A small SOCKS4/4a proxy for tests (written from the protocol description, not from any proxy's code): reads a
/// CONNECT request, resolves a 4a host name itself (IPv4), connects, replies 90 (or 91 on failure) and relays bytes
/// both ways. It records each request's target as <c>host:port</c> (the name as sent for 4a, the address for 4).
/// </summary>
public sealed class Socks4aServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly Task _accepting;

    /// <summary>Starts listening on a free loopback port.</summary>
    public Socks4aServer()
    {
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The port.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The targets requested so far.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var sessions = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                sessions.Add(Task.Run(() => ServeAsync(client)));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(sessions).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var head = new byte[8];
            await stream.ReadExactlyAsync(head, _stop.Token);
            if (head[0] != 4 || head[1] != 1)
            {
                return;
            }

            await ReadStringAsync(stream); // USERID
            var port = (head[2] << 8) | head[3];
            string host;
            if (head[4] == 0 && head[5] == 0 && head[6] == 0 && head[7] != 0)
            {
                host = await ReadStringAsync(stream);
            }
            else
            {
                host = new IPAddress(head.AsSpan(4, 4)).ToString();
            }

            _requests.Enqueue(host + ":" + port);
            using var upstream = new TcpClient(AddressFamily.InterNetwork);
            try
            {
                var addresses = await System.Net.Dns.GetHostAddressesAsync(host, AddressFamily.InterNetwork, _stop.Token);
                await upstream.ConnectAsync(addresses, port, _stop.Token);
            }
            catch (SocketException)
            {
                await stream.WriteAsync(new byte[] { 0, 91, 0, 0, 0, 0, 0, 0 }, _stop.Token);
                return;
            }

            await stream.WriteAsync(new byte[] { 0, 90, head[2], head[3], 0, 0, 0, 0 }, _stop.Token);
            var server = upstream.GetStream();
            try
            {
                var up = stream.CopyToAsync(server, _stop.Token).ContinueWith(_ => upstream.Client.Shutdown(SocketShutdown.Send), TaskScheduler.Default);
                await server.CopyToAsync(stream, _stop.Token);
                client.Client.Shutdown(SocketShutdown.Send);
                await up;
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
            }
        }

        async Task<string> ReadStringAsync(NetworkStream stream)
        {
            var bytes = new List<byte>();
            var one = new byte[1];
            while (true)
            {
                await stream.ReadExactlyAsync(one, _stop.Token);
                if (one[0] == 0 || bytes.Count > 1024)
                {
                    return Encoding.UTF8.GetString([.. bytes]);
                }

                bytes.Add(one[0]);
            }
        }
    }
}
