using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Xunit;

namespace EmailRelay.Testing;

/// <summary>
/// The client end of an in-memory SMTP (or POP, admin) connection, for transcript tests in the
/// style of Kestrel's test connection: <c>SendAsync("EHLO a")</c>, <c>ExpectAsync("250-...")</c>,
/// <c>ExpectCodeAsync(250)</c>, <c>ExpectClosedAsync()</c>. With <see cref="ByteAtATime"/> every
/// byte is sent and flushed on its own. Every wait has a real-time deadline, so a broken server
/// fails the test instead of hanging it.
/// </summary>
public sealed class TranscriptClient : IAsyncDisposable
{
    private readonly Pipe _toServer = new(new PipeOptions(pauseWriterThreshold: 0));
    private readonly Pipe _toClient = new(new PipeOptions(pauseWriterThreshold: 0));

    /// <summary>Creates a client and the matching <see cref="ServerStream"/>.</summary>
    public TranscriptClient(bool byteAtATime = false)
    {
        ByteAtATime = byteAtATime;
        ServerStream = new TranscriptStream(_toServer.Reader, _toClient.Writer);
    }

    /// <summary>The stream to hand to the server driver.</summary>
    public TranscriptStream ServerStream { get; }

    /// <summary>Send each byte separately, flushing after each.</summary>
    public bool ByteAtATime { get; }

    /// <summary>How long an expectation waits: 10 s.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Sends <paramref name="line"/> followed by CRLF.</summary>
    public Task SendAsync(string line) => SendRawAsync(Encoding.UTF8.GetBytes(line + "\r\n"));

    /// <summary>Sends several lines in one write (a pipelined batch).</summary>
    public Task SendBatchAsync(params string[] lines) => SendRawAsync(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\r\n"))));

    /// <summary>Sends raw bytes.</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        if (ByteAtATime)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                await _toServer.Writer.WriteAsync(bytes.Slice(i, 1));
            }

            return;
        }

        await _toServer.Writer.WriteAsync(bytes);
    }

    /// <summary>Closes the client's sending side (the peer disconnects).</summary>
    public Task DisconnectAsync() => _toServer.Writer.CompleteAsync().AsTask();

    /// <summary>
    /// Reads one reply line and checks it: exact, or by prefix when <paramref name="expected"/> ends in <c>...</c>.
    /// Returns the line.
    /// </summary>
    public async Task<string> ExpectAsync(string expected)
    {
        var line = await ReadLineAsync() ?? throw new Xunit.Sdk.XunitException($"expected [{expected}] but the connection closed");
        if (expected.EndsWith("...", StringComparison.Ordinal))
        {
            Assert.StartsWith(expected[..^3], line, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(expected, line);
        }

        return line;
    }

    /// <summary>Reads one whole reply (all its lines) and checks its code. Returns the lines.</summary>
    public async Task<List<string>> ExpectCodeAsync(int code)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new Xunit.Sdk.XunitException($"expected {code} but the connection closed after [{string.Join("|", lines)}]");
            lines.Add(line);
            Assert.True(line.Length >= 4 && line.StartsWith(code.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), $"expected {code} but got [{line}]");
            if (line[3] == ' ')
            {
                return lines;
            }
        }
    }

    /// <summary>Expects the server to close the connection with nothing more sent.</summary>
    public async Task ExpectClosedAsync()
    {
        var line = await ReadLineAsync();
        Assert.True(line is null, $"expected the connection to close but got [{line}]");
    }

    /// <summary>Reads one CRLF-terminated line, or null at end of stream.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var reader = _toClient.Reader;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException("timed out waiting for the server");
            }

            var buffer = result.Buffer;
            var lf = buffer.PositionOf((byte)'\n');
            if (lf is not null)
            {
                var line = buffer.Slice(0, lf.Value);
                var text = Encoding.UTF8.GetString(line.ToArray()).TrimEnd('\r');
                reader.AdvanceTo(buffer.GetPosition(1, lf.Value));
                return text;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                Assert.True(buffer.IsEmpty, "the connection closed in the middle of a line");
                return null;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _toServer.Writer.CompleteAsync();
        await _toClient.Reader.CompleteAsync();
        await ServerStream.DisposeAsync();
    }
}
