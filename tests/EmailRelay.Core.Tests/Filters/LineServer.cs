using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EmailRelay.Core.Tests.Filters;

/// <summary>A small loopback line server for <c>net:</c> tests: answers each request line with <c>reply(line)</c>; a null reply drops the connection.</summary>
internal sealed class LineServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, string?> _reply;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LineServer(Func<string, string?> reply)
    {
        _reply = reply;
        _listener.Start();
        _loop = AcceptAsync();
    }

    public string Address => "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ConcurrentQueue<string> Requests { get; } = new();

    public int Accepted;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref Accepted);
                _ = ServeAsync(client);
            }
        }
        catch (Exception e) when (_stop.IsCancellationRequested && e is OperationCanceledException or InvalidOperationException or SocketException or ObjectDisposedException)
        {
            // Disposed: the listener was stopped, possibly between two accepts.
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.UTF8);
            try
            {
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    Requests.Enqueue(line);
                    var reply = _reply(line);
                    if (reply is null)
                    {
                        return;
                    }

                    await stream.WriteAsync(Encoding.UTF8.GetBytes(reply + "\n"), _stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
