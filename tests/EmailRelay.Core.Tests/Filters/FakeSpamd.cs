using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EmailRelay.Core.Tests.Filters;

/// <summary>
/// A scripted spamd for tier-2 tests: reads one request (header and <c>Content-length</c> bytes), records it, and
/// writes <c>reply(content)</c> (null: hold the connection open without answering, until disposed).
/// </summary>
internal sealed class FakeSpamd : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<string, string?> _reply;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeSpamd(Func<string, string?> reply, string? unixPath = null)
    {
        _reply = reply;
        if (unixPath is null)
        {
            _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Address = "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _listener.Bind(new UnixDomainSocketEndPoint(unixPath));
            Address = unixPath;
        }

        _listener.Listen();
        _loop = AcceptAsync();
    }

    public string Address { get; }

    /// <summary>Each request's header and content as received.</summary>
    public ConcurrentQueue<(string Header, string Content)> Requests { get; } = new();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        }
        catch (Exception e) when (_stop.IsCancellationRequested && e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            await using var stream = new NetworkStream(client);
            try
            {
                var received = new MemoryStream();
                var buffer = new byte[4096];
                int headerEnd = -1;
                int length = 0;
                while (headerEnd < 0 || received.Length < headerEnd + length)
                {
                    var n = await stream.ReadAsync(buffer, _stop.Token);
                    if (n == 0)
                    {
                        break;
                    }

                    received.Write(buffer, 0, n);
                    var text = Encoding.ASCII.GetString(received.ToArray());
                    if (headerEnd < 0 && text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var end and >= 0)
                    {
                        headerEnd = end + 4;
                        var line = text[..end].Split("\r\n").First(l => l.StartsWith("Content-length:", StringComparison.Ordinal));
                        length = int.Parse(line["Content-length:".Length..].Trim(), CultureInfo.InvariantCulture);
                    }
                }

                var all = Encoding.ASCII.GetString(received.ToArray());
                var content = headerEnd < 0 ? "" : all[headerEnd..];
                Requests.Enqueue((headerEnd < 0 ? all : all[..headerEnd], content));
                if (_reply(content) is not { } reply)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }

                await stream.WriteAsync(Encoding.ASCII.GetBytes(reply), _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _loop;
        _stop.Dispose();
    }
}
