using System.Net;
using System.Net.Sockets;
using System.Text;
using EmailRelay.Testing;

namespace EmailRelay.IntegrationTests.Smtp;

/// <summary>A raw SMTP client socket: writes exact bytes and reads whole (possibly multi-line) replies with a deadline.</summary>
internal sealed class RawSmtp : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[65536];
    private int _start;
    private int _end;

    private RawSmtp(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    /// <summary>The underlying stream, for large writes.</summary>
    public NetworkStream Stream => _stream;

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/> and reads the greeting.</summary>
    public static async Task<(RawSmtp Client, string Greeting)> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var raw = new RawSmtp(client);
        return (raw, await raw.ReadReplyAsync());
    }

    /// <summary>Sends ASCII/UTF-8 text as is.</summary>
    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>Sends bytes as is.</summary>
    public async Task SendAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(Waiting.DefaultTimeout);
        await _stream.WriteAsync(bytes, cts.Token);
    }

    /// <summary>Sends a command line (CRLF added) and returns the reply.</summary>
    public async Task<string> CommandAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return await ReadReplyAsync();
    }

    /// <summary>Reads one reply: lines up to the one with a space after the code, joined with '\n'; null at end of stream.</summary>
    public async Task<string> ReadReplyAsync(TimeSpan? timeout = null)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync(timeout) ?? throw new EndOfStreamException("connection closed after: " + string.Join("\n", lines));
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return string.Join("\n", lines);
            }
        }
    }

    /// <summary>Reads one CRLF line without its ending; null at end of stream.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Waiting.DefaultTimeout);
        while (true)
        {
            var lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                var length = lf - _start;
                if (length > 0 && _buffer[lf - 1] == '\r')
                {
                    length--;
                }

                var line = Encoding.UTF8.GetString(_buffer, _start, length);
                _start = lf + 1;
                return line;
            }

            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                throw new InvalidDataException("reply line too long");
            }

            int read;
            try
            {
                read = await _stream.ReadAsync(_buffer.AsMemory(_end), cts.Token);
            }
            catch (IOException)
            {
                read = 0;
            }

            if (read == 0)
            {
                return null;
            }

            _end += read;
        }
    }

    /// <summary>True once the server has closed the connection (reads to end of stream, within the deadline).</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        try
        {
            while (await ReadLineAsync() is not null)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Resets the connection (SO_LINGER 0, so the close sends RST).</summary>
    public void Abort()
    {
        _client.LingerState = new LingerOption(true, 0);
        _client.Close();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
