using System.IO.Pipelines;
using System.Net.Security;

namespace EmailRelay.Net;

/// <summary>
/// A connection's byte transport for the protocol drivers (SMTP, POP): pipes over a stream that a TLS upgrade can
/// replace. Reads use zero-byte reads, so an idle connection holds no read buffer (Kestrel's approach).
/// Calling sequence: use <see cref="Reader"/> and <see cref="Writer"/>; <see cref="UpgradeAsync"/> at most once per
/// STARTTLS/STLS/SMTPS handshake, only when the reader holds no unread bytes (the caller checks, differences 8);
/// then <see cref="DisposeAsync"/>, which completes the pipes and disposes the stream.
/// </summary>
internal sealed class PipeTransport : IAsyncDisposable
{
    private const int MinimumReadSize = 1024;
    private readonly int _readBufferSize;
    private readonly TimeSpan _closeNotifyLimit;

    /// <summary>Wraps <paramref name="stream"/>, which the transport then owns.</summary>
    /// <param name="stream">The connected stream.</param>
    /// <param name="readBufferSize">The size of one socket read.</param>
    /// <param name="closeNotifyLimit">How long the TLS close_notify may take at the end (<see cref="RelayLimits.TlsCloseTimeout"/>); null: the default.</param>
    public PipeTransport(Stream stream, int readBufferSize, TimeSpan? closeNotifyLimit = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _readBufferSize = readBufferSize;
        _closeNotifyLimit = closeNotifyLimit ?? RelayLimits.Default.TlsCloseTimeout;
        Stream = stream;
        (Reader, Writer) = CreatePipes(stream);
    }

    /// <summary>The current stream: the accepted one, or the TLS stream after an upgrade.</summary>
    public Stream Stream { get; private set; }

    /// <summary>The input pipe over <see cref="Stream"/>.</summary>
    public PipeReader Reader { get; private set; }

    /// <summary>The output pipe over <see cref="Stream"/>.</summary>
    public PipeWriter Writer { get; private set; }

    /// <summary>Completes the plain-text pipes, wraps the stream with <paramref name="upgrade"/> (the TLS handshake) and opens new pipes over it.</summary>
    public async Task UpgradeAsync(Func<Stream, CancellationToken, Task<Stream>> upgrade, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upgrade);
        await Reader.CompleteAsync();
        await Writer.CompleteAsync();
        Stream = await upgrade(Stream, cancellationToken);
        (Reader, Writer) = CreatePipes(Stream);
    }

    /// <summary>
    /// Completes both pipes (unsent output to a peer that has gone is dropped), ends a TLS session with a
    /// close_notify alert (bounded in time: a peer that stopped reading cannot hold the connection), and disposes the stream.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Reader.CompleteAsync();
            await Writer.CompleteAsync();
            if (Stream is SslStream ssl)
            {
                await ssl.ShutdownAsync().WaitAsync(_closeNotifyLimit);
            }
        }
        catch (TimeoutException)
        {
            // The peer is not reading: dispose anyway.
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            // Unsent replies to a peer that has gone: nothing more to do.
        }
        finally
        {
            await Stream.DisposeAsync();
        }
    }

    private (PipeReader Reader, PipeWriter Writer) CreatePipes(Stream stream)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: _readBufferSize, minimumReadSize: MinimumReadSize, leaveOpen: true, useZeroByteReads: true));
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        return (reader, writer);
    }
}
