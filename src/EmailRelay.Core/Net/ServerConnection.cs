using System.Net.Security;
using System.Net.Sockets;

namespace EmailRelay.Net;

/// <summary>
/// The one server connection skeleton that SMTP, POP and admin run on (Kestrel's <c>HttpConnection</c> in shape):
/// it owns the transport and the idle timer, runs the read loop over an <see cref="IServerProtocol"/>, flushes
/// what each step wrote, checks that nothing is buffered at STARTTLS/STLS (differences 8) before the handshake, and
/// sends the final <c>421</c> or <c>-ERR</c> when we end the connection (idle timeout, shutdown, our own failure).
/// <para>Drain (issue 22): once <c>draining</c> fires, a connection that is not receiving a message's content gets
/// the shutdown reply at once and is closed gracefully (close_notify, FIN, the peer's unread input discarded for at
/// most <see cref="RelayLimits.CloseTimeout"/> and only while it keeps sending (<see cref="RelayLimits.LingerQuietTime"/>), so the peer sees the whole reply and never a reset); one receiving
/// content is let finish its message and is then closed the same way. The shutdown token ends every connection at
/// once (the drain deadline, or a second signal): a message not yet acknowledged is then discarded by the protocol.</para>
/// Calling sequence: construct, then <see cref="RunAsync"/> once; the stream is disposed when it ends.
/// </summary>
internal sealed class ServerConnection
{
    private readonly RelayLimits _limits;
    private readonly TimeProvider _time;
    private readonly Socket? _socket;
    private volatile bool _drainRequested;

    /// <summary>Creates the skeleton over <paramref name="stream"/>, which it owns.</summary>
    /// <param name="stream">The accepted stream.</param>
    /// <param name="limits">The limits (read size, idle and close timeouts).</param>
    /// <param name="time">The clock of the idle timer and the close limits.</param>
    /// <param name="socket">The accepted socket under <paramref name="stream"/>, for a graceful close; null for an in-memory stream.</param>
    public ServerConnection(Stream stream, RelayLimits limits, TimeProvider time, Socket? socket = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(time);
        _limits = limits;
        _time = time;
        _socket = socket;
        Transport = new PipeTransport(stream, limits.ReadBufferSize, limits.TlsCloseTimeout);
        Idle = new IdleTimer(limits.IdleTimeout, time);
    }

    /// <summary>The pipes the protocol reads and writes.</summary>
    public PipeTransport Transport { get; }

    /// <summary>The idle timer; the protocol re-arms it on progress and suspends it while it waits on us.</summary>
    public IdleTimer Idle { get; }

    /// <summary>The close reason logged at the end; the protocol sets it for the ends it decides (QUIT, limits).</summary>
    public string CloseReason { get; set; } = "peer disconnected";

    /// <summary>Flushes the replies written so far, if any.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (Transport.Writer.UnflushedBytes > 0)
        {
            await Transport.Writer.FlushAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Serves the connection until the protocol closes it, the peer goes, the idle timer expires, the drain lets it
    /// go, or <paramref name="shutdown"/> fires.
    /// </summary>
    /// <param name="protocol">The protocol driver.</param>
    /// <param name="tlsUpgrader">The STARTTLS/STLS handshake, or null when TLS is not offered.</param>
    /// <param name="shutdown">Ends the connection at once with the final reply.</param>
    /// <param name="draining">Asks the connection to end at its next command boundary.</param>
    public async Task RunAsync(IServerProtocol protocol, Func<Stream, CancellationToken, Task<Stream>>? tlsUpgrader, CancellationToken shutdown, CancellationToken draining = default)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown, Idle.Token);
        using var drain = draining.Register(() => RequestDrain(protocol));
        var token = linked.Token;
        try
        {
            Idle.Rearm();
            var closed = await protocol.StartAsync(token);
            await FlushAsync(token);
            if (!closed)
            {
                if (await ReadLoopAsync(protocol, tlsUpgrader, token))
                {
                    CloseReason = "shutdown";
                    await SendFinalAsync(protocol, ConnectionEnd.Shutdown, linger: true, shutdown);
                }
            }
        }
        catch (OperationCanceledException) when (Idle.Expired || shutdown.IsCancellationRequested)
        {
            var end = shutdown.IsCancellationRequested ? ConnectionEnd.Shutdown : ConnectionEnd.Timeout;
            CloseReason = end == ConnectionEnd.Timeout ? "timeout" : "shutdown";
            await SendFinalAsync(protocol, end, linger: false, CancellationToken.None);
        }
        catch (IOException e)
        {
            CloseReason = e.Message;
        }
        catch (Exception e)
        {
            var (reason, sendFinal) = protocol.Failed(e);
            CloseReason = reason;
            if (sendFinal)
            {
                await SendFinalAsync(protocol, ConnectionEnd.Failure, linger: false, CancellationToken.None);
            }
        }
        finally
        {
            using (var limit = new CancellationTokenSource(_limits.CloseTimeout, _time))
            {
                await protocol.EndingAsync(limit.Token);
            }

            await Transport.DisposeAsync();
            Idle.Dispose();
            await protocol.ClosedAsync(CloseReason);
        }
    }

    // Returns true when the loop ended for a drain (the shutdown reply is still owed).
    private async Task<bool> ReadLoopAsync(IServerProtocol protocol, Func<Stream, CancellationToken, Task<Stream>>? tlsUpgrader, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_drainRequested && !protocol.IsReceivingContent)
            {
                return true;
            }

            // A drain cancels a pending read (IsCanceled): whatever was buffered is handled as usual, then the check above.
            var result = await Transport.Reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            long leftover;
            ProtocolNext next;
            try
            {
                (consumed, next) = await protocol.ProcessAsync(buffer, cancellationToken);
            }
            finally
            {
                leftover = buffer.Slice(consumed).Length;
                Transport.Reader.AdvanceTo(consumed, buffer.End);
            }

            // PIPELINING: one flush once no complete command is left in the buffer.
            await FlushAsync(cancellationToken);
            switch (next)
            {
                case ProtocolNext.Close:
                    return false;
                case ProtocolNext.StartTls:
                    // RFC 3207 §4.2, RFC 2595 §4 and differences 8: input pipelined after STARTTLS/STLS drops the connection.
                    if (leftover > 0 || tlsUpgrader is null)
                    {
                        CloseReason = protocol.TlsInjected();
                        return false;
                    }

                    await Transport.UpgradeAsync(tlsUpgrader, cancellationToken);
                    if (await protocol.TlsEstablishedAsync(cancellationToken))
                    {
                        await FlushAsync(cancellationToken);
                        return false;
                    }

                    await FlushAsync(cancellationToken);
                    continue;
            }

            if (result.IsCompleted)
            {
                return false;
            }
        }
    }

    private void RequestDrain(IServerProtocol protocol)
    {
        _drainRequested = true;
        if (!protocol.IsReceivingContent)
        {
            try
            {
                Transport.Reader.CancelPendingRead();
            }
            catch (InvalidOperationException)
            {
                // The reader has completed: the connection is ending anyway.
            }
        }
    }

    // The final reply, bounded by CloseTimeout for a peer that is not reading. With linger (a drain), the connection
    // then ends gracefully: close_notify, FIN, and the peer's unread input discarded until it closes, so it reads
    // the whole reply instead of a reset (a socket closed with unread input sends RST, which can discard what the
    // peer has not read yet).
    private async Task SendFinalAsync(IServerProtocol protocol, ConnectionEnd end, bool linger, CancellationToken shutdown)
    {
        try
        {
            using var timeLimit = new CancellationTokenSource(_limits.CloseTimeout, _time);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(shutdown, timeLimit.Token);
            protocol.WriteFinal(end);
            await Transport.Writer.FlushAsync(both.Token);
            if (linger && _socket is not null)
            {
                await LingerAsync(both.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or ObjectDisposedException or SocketException)
        {
            // The peer is gone or not reading: nothing more to do.
        }
    }

    // FIN after the reply, then the peer's input read and discarded until it closes, goes quiet for
    // LingerQuietTime, or the close limit passes.
    private async Task LingerAsync(CancellationToken cancellationToken)
    {
        if (Transport.Stream is SslStream ssl)
        {
            await ssl.ShutdownAsync().WaitAsync(cancellationToken);
        }

        _socket!.Shutdown(SocketShutdown.Send);
        var discard = new byte[4096];
        while (true)
        {
            using var quiet = new CancellationTokenSource(_limits.LingerQuietTime, _time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, quiet.Token);
            try
            {
                if (await _socket.ReceiveAsync(discard, SocketFlags.None, either.Token) == 0)
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (quiet.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
