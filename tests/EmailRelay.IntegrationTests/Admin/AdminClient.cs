using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EmailRelay.IntegrationTests.Admin;

/// <summary>A raw TCP admin client: sends lines with a chosen ending and reads until the prompt (or close).</summary>
internal sealed class AdminClient : IAsyncDisposable
{
    public const string Prompt = "E-MailRelay> ";
    private readonly TcpClient _client = new();
    private readonly StringBuilder _received = new();
    private NetworkStream _stream = null!;

    public string Ending { get; init; } = "\r\n";

    public static async Task<AdminClient> ConnectAsync(int port, string ending = "\r\n")
    {
        var client = new AdminClient { Ending = ending };
        await client._client.ConnectAsync(IPAddress.Loopback, port);
        client._stream = client._client.GetStream();
        return client;
    }

    public async Task SendAsync(string line)
    {
        var bytes = Encoding.ASCII.GetBytes(line + Ending);
        await _stream.WriteAsync(bytes);
    }

    /// <summary>Sends a line and returns everything received up to and including the next prompt.</summary>
    public async Task<string> CommandAsync(string line)
    {
        await SendAsync(line);
        return await ReadUntilAsync(s => s.EndsWith(Prompt, StringComparison.Ordinal));
    }

    /// <summary>Reads until <paramref name="done"/> holds for the text received since the last call; returns it.</summary>
    public async Task<string> ReadUntilAsync(Func<string, bool> done, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        var buffer = new byte[4096];
        while (!done(_received.ToString()))
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("admin reply not complete; so far: [" + _received + "]");
            }

            if (n == 0)
            {
                break;
            }

            _received.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }

        var text = _received.ToString();
        _received.Clear();
        return text;
    }

    /// <summary>True when the server closes the connection within the deadline (after draining anything left).</summary>
    public async Task<bool> IsClosedAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[4096];
        try
        {
            while (await _stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
