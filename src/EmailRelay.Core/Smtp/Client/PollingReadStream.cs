using System.Net.Sockets;

namespace EmailRelay.Smtp.Client;

/// <summary>
/// The forwarding client's socket stream: a read first waits up to <see cref="ReplyWait"/> in <c>poll(2)</c> on
/// the calling thread and, when the reply is there, reads it synchronously; only a slower reply goes through the
/// asynchronous socket engine. A client reads right after each write, and a near upstream (loopback, a LAN
/// smarthost) replies well within the wait, so each reply then costs one wake-up of this thread instead of the
/// event thread's wake-up plus a hand-off to a thread-pool worker (what the forwarding's CPU went on: context
/// switches, not I/O). Timeouts and cancellation are unchanged: they act on the asynchronous read after the wait.
/// Writes, disposal and the rest go to the wrapped <see cref="NetworkStream"/>, which owns the socket.
/// </summary>
internal sealed class PollingReadStream : Stream
{
    /// <summary>How long a read may block its thread before going asynchronous: 1 ms, a few loopback or LAN round trips.</summary>
    public static readonly TimeSpan ReplyWait = TimeSpan.FromMicroseconds(250);

    private readonly NetworkStream _inner;
    private readonly Socket _socket;
    private readonly int _waitMicroseconds;

    /// <summary>Wraps <paramref name="inner"/>, the stream over <paramref name="socket"/>.</summary>
    /// <param name="inner">The socket's stream (it owns the socket).</param>
    /// <param name="socket">The connected socket.</param>
    /// <param name="wait">The longest synchronous wait per read; zero only checks.</param>
    public PollingReadStream(NetworkStream inner, Socket socket, TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(socket);
        _inner = inner;
        _socket = socket;
        _waitMicroseconds = (int)Math.Clamp(wait.Ticks / TimeSpan.TicksPerMicrosecond, 0, int.MaxValue);
    }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!cancellationToken.IsCancellationRequested && IsReadable())
        {
            // Data or the end of the stream is there: a zero-byte read (the pipe's wait for data) is satisfied, and a
            // real read does not block.
            if (buffer.IsEmpty)
            {
                return ValueTask.FromResult(0);
            }

            try
            {
                return ValueTask.FromResult(_socket.Receive(buffer.Span, SocketFlags.None));
            }
            catch (SocketException ex)
            {
                return ValueTask.FromException<int>(new IOException("unable to read data from the transport connection: " + ex.Message, ex));
            }
        }

        return _inner.ReadAsync(buffer, cancellationToken);
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    /// <inheritdoc />
    public override int Read(Span<byte> buffer) => _inner.Read(buffer);

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _inner.WriteAsync(buffer, cancellationToken);

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.WriteAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer) => _inner.Write(buffer);

    /// <inheritdoc />
    public override void Flush() => _inner.Flush();

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private bool IsReadable()
    {
        try
        {
            return _socket.Poll(_waitMicroseconds, SelectMode.SelectRead);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Let the asynchronous read report it.
            return false;
        }
    }
}
