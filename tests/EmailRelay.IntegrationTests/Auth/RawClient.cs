using System.Net.Sockets;
using System.Text;

namespace EmailRelay.IntegrationTests.Auth;

/// <summary>A byte-exact SMTP client for injection and brute-force tests.</summary>
internal sealed class RawClient : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    public RawClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _stream.ReadTimeout = 30_000;
        _reader = new StreamReader(_stream, Encoding.ASCII);
    }

    public async Task SendAsync(string text)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public async Task SendBytesAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>The last line of the next reply, or null at end of stream.</summary>
    public async Task<string?> ReadReplyAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            string? line = await _reader.ReadLineAsync(cts.Token);
            if (line is null || line.Length < 4 || line[3] != '-')
            {
                return line;
            }
        }
    }

    public void Dispose() => _client.Dispose();
}
