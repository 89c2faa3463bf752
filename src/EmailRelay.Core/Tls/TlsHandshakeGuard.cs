namespace EmailRelay.Tls;

/// <summary>
/// The stream under a server-side <see cref="System.Net.Security.SslStream"/>: until <see cref="Complete"/> it
/// reads the TLS record headers the peer sends and fails the read (<see cref="IOException"/>) when a header declares
/// more than the longest record TLS allows, or when the peer has sent more than the handshake byte limit; after
/// <see cref="Complete"/> it only passes data through. Writes always pass through.
/// </summary>
internal sealed class TlsHandshakeGuard : Stream
{
    private const int HeaderLength = 5;
    private readonly Stream _inner;
    private readonly int _maxRecordLength;
    private readonly int _maxBytes;
    private readonly byte[] _header = new byte[HeaderLength];
    private int _headerFill;
    private int _bodyRemaining;
    private long _total;
    private bool _complete;

    /// <summary>Wraps <paramref name="inner"/> (owned: disposed with this stream).</summary>
    public TlsHandshakeGuard(Stream inner, int maxRecordLength, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _maxRecordLength = maxRecordLength;
        _maxBytes = maxBytes;
    }

    /// <inheritdoc />
    public override bool CanRead => _inner.CanRead;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => _inner.CanWrite;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>The handshake has completed: stop checking.</summary>
    public void Complete() => _complete = true;

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        Inspect(buffer[..n]);
        return n;
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Inspect(buffer.Span[..n]);
        return n;
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer) => _inner.Write(buffer);

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => _inner.WriteAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        => _inner.WriteAsync(buffer, cancellationToken);

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

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Inspect(ReadOnlySpan<byte> data)
    {
        if (_complete)
        {
            return;
        }

        _total += data.Length;
        if (_total > _maxBytes)
        {
            throw new IOException("tls handshake: more than " + _maxBytes + " octets before the handshake completed");
        }

        while (!data.IsEmpty)
        {
            if (_bodyRemaining > 0)
            {
                var take = Math.Min(_bodyRemaining, data.Length);
                _bodyRemaining -= take;
                data = data[take..];
                continue;
            }

            _header[_headerFill++] = data[0];
            data = data[1..];
            if (_headerFill == HeaderLength)
            {
                _headerFill = 0;
                _bodyRemaining = (_header[3] << 8) | _header[4];
                if (_bodyRemaining > _maxRecordLength)
                {
                    throw new IOException("tls handshake: packet length too long: a record of " + _bodyRemaining + " octets");
                }
            }
        }
    }
}
