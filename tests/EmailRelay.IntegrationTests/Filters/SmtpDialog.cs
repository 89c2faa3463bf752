using System.Net.Sockets;
using System.Text;

namespace EmailRelay.IntegrationTests.Filters;

/// <summary>A minimal line-at-a-time SMTP client for black-box filter tests: send a line, read one (possibly multi-line) reply.</summary>
internal sealed class SmtpDialog : IAsyncDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(20);
    private readonly TcpClient _client;
    private readonly StreamReader _reader;
    private readonly Stream _stream;

    private SmtpDialog(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    /// <summary>Connects and reads the greeting.</summary>
    public static async Task<SmtpDialog> OpenAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var dialog = new SmtpDialog(client);
        var greeting = await dialog.ReadReplyAsync();
        Assert.StartsWith("220 ", greeting, StringComparison.Ordinal);
        return dialog;
    }

    /// <summary>Sends a line and returns the reply's last line, or null if the server closed the connection.</summary>
    public async Task<string?> SendAsync(string line)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"));
        return await ReadReplyAsync();
    }

    /// <summary>Sends a whole transaction and returns the replies to MAIL, each RCPT and the end of data.</summary>
    public async Task<string?> SendMessageAsync(string from, IEnumerable<string> to, string subject, string body = "hello")
    {
        Assert.StartsWith("250", await SendAsync("MAIL FROM:<" + from + ">"), StringComparison.Ordinal);
        foreach (var rcpt in to)
        {
            var reply = await SendAsync("RCPT TO:<" + rcpt + ">");
            if (reply is null || !reply.StartsWith("250", StringComparison.Ordinal))
            {
                return reply;
            }
        }

        Assert.StartsWith("354", await SendAsync("DATA"), StringComparison.Ordinal);
        return await SendAsync("Subject: " + subject + "\r\n\r\n" + body + "\r\n.");
    }

    /// <summary>Reads one reply; returns its last line, or null at end of stream.</summary>
    public async Task<string?> ReadReplyAsync()
    {
        using var cts = new CancellationTokenSource(s_deadline);
        while (true)
        {
            var line = await _reader.ReadLineAsync(cts.Token);
            if (line is null || line.Length < 4 || line[3] != '-')
            {
                return line;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
