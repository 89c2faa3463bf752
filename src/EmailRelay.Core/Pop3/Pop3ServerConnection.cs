using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Text;
using EmailRelay.Diagnostics;
using EmailRelay.Events;
using EmailRelay.Net;
using EmailRelay.Protocol.Pop3;
using EmailRelay.Protocol.Smtp;
using EmailRelay.Protocol.Text;
using EmailRelay.Spool;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Pop3;

/// <summary>
/// The POP3 server driver for one connection (architecture §4b, as for SMTP): frames command lines
/// with the bounded <see cref="LineFramer"/>, feeds the <see cref="Pop3ServerSession"/>, runs its
/// operations (open the maildrop, send a message dot-stuffed, STLS, delete on QUIT), and enforces the
/// idle timeout. Calling sequence: construct, then <see cref="RunAsync"/> once; the stream is disposed
/// when it ends, and the maildrop is always released (nothing stays locked after a disconnect).
/// </summary>
internal sealed class Pop3ServerConnection : IDisposable
{
    private const int ContentBufferSize = 64 * 1024;

    private readonly Pop3ServerOptions _options;
    private readonly Pop3ServerServices _services;
    private readonly ILogger _logger;
    private readonly EndPoint? _remoteEndPoint;
    private readonly long _connectionId;
    private readonly Pop3ServerSession _session;
    private readonly CancellationTokenSource _timeout;
    private readonly SmtpDataEncoder _encoder = new();
    private readonly PipeTransport _transport;
    private PopMaildrop? _maildrop;
    private bool _draining;
    private bool _tlsRequested;
    private string _closeReason = "peer disconnected";

    /// <summary>Creates the driver for one connection over <paramref name="stream"/>, which it disposes when done.</summary>
    public Pop3ServerConnection(Stream stream, EndPoint? remoteEndPoint, long connectionId, Pop3ServerOptions options, Pop3ServerServices services)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        _transport = new PipeTransport(stream, options.Limits.ReadBufferSize, options.Limits.TlsCloseTimeout);
        _options = options;
        _services = services;
        _logger = services.Logger;
        _remoteEndPoint = remoteEndPoint;
        _connectionId = connectionId;
        var policy = options.Policy with { TlsOffered = options.Policy.TlsOffered && services.TlsUpgrader is not null, AuthFailureLimit = options.Limits.AuthFailureLimit };
        _session = new Pop3ServerSession(policy, services.Mechanisms);
        _timeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, services.TimeProvider);
    }

    /// <summary>Releases the timer (also done when <see cref="RunAsync"/> ends).</summary>
    public void Dispose() => _timeout.Dispose();

    /// <summary>Serves the connection until QUIT, an error, a timeout, the peer closing, or <paramref name="cancellationToken"/> (shutdown).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var scope = _logger.BeginScope(new ConnectionLogScope(_options.Unit, _remoteEndPoint, _connectionId));
        Log.ConnectionFrom(_logger, EndPointText(_remoteEndPoint));
        _services.Events.SessionOpened(RelayService.Pop, _connectionId, _remoteEndPoint);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timeout.Token);
        try
        {
            Rearm();
            Write(_session.Start().Lines);
            await _transport.Writer.FlushAsync(linked.Token);
            await ReadLoopAsync(linked.Token);
            await CloseTlsAsync(linked.Token);
        }
        catch (OperationCanceledException) when (_timeout.IsCancellationRequested || cancellationToken.IsCancellationRequested)
        {
            var timedOut = !cancellationToken.IsCancellationRequested;
            _closeReason = timedOut ? "timeout" : "shutdown";
            await TrySendFinalAsync(timedOut ? Pop3Replies.Timeout : Pop3Replies.Error);
        }
        catch (IOException e)
        {
            _closeReason = e.Message;
        }
        catch (Exception e)
        {
            Log.ConnectionFailed(_logger, e.Message, e);
            _closeReason = e.Message;
            await TrySendFinalAsync(Pop3Replies.Error);
        }
        finally
        {
            // The client is let go first: after QUIT it has its reply, and the deleted messages' leftovers are no business of its.
            await _transport.DisposeAsync();
            if (_maildrop is not null)
            {
                // A disconnect without QUIT deletes nothing and leaves nothing locked.
                await _maildrop.DisposeAsync();
            }

            _timeout.Dispose();
            Log.ConnectionClosed(_logger, _closeReason);
            _services.Events.SessionClosed(RelayService.Pop, _connectionId, _remoteEndPoint, _closeReason);
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _transport.Reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            long leftover;
            bool close;
            try
            {
                (close, consumed) = await ProcessAsync(buffer, cancellationToken);
            }
            finally
            {
                leftover = buffer.Slice(consumed).Length;
                _transport.Reader.AdvanceTo(consumed, buffer.End);
            }

            await _transport.Writer.FlushAsync(cancellationToken);
            if (close)
            {
                return;
            }

            if (_tlsRequested && !await StartTlsAsync(leftover, cancellationToken))
            {
                return;
            }

            if (result.IsCompleted && !_tlsRequested)
            {
                return;
            }
        }
    }

    private async ValueTask<(bool Close, SequencePosition Consumed)> ProcessAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var remaining = buffer;
        while (!_tlsRequested)
        {
            var status = LineFramer.TryReadLine(remaining, _options.Limits.MaxCommandLineLength, out var line, out var next);
            if (status == LineStatus.Incomplete)
            {
                return (false, remaining.Start);
            }

            remaining = remaining.Slice(next);
            if (status == LineStatus.TooLong)
            {
                // Differences 9: the rest of an overlong line is discarded, then answered once.
                _draining = true;
                continue;
            }

            Rearm();
            if (await HandleLineAsync(line, cancellationToken))
            {
                return (true, remaining.Start);
            }
        }

        return (false, remaining.Start);
    }

    private async ValueTask<bool> HandleLineAsync(ReadOnlySequence<byte> line, CancellationToken cancellationToken)
    {
        if (_draining)
        {
            _draining = false;
            return await ApplyAsync(_session.HandleOverlongLine(), cancellationToken);
        }

        var span = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
        if (!span.IsEmpty && span[^1] == (byte)'\r')
        {
            span = span[..^1];
        }

        if (_session.InputMode == Pop3InputMode.SaslResponse)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.Received(_logger, "[authentication response not logged]");
            }

            return await ApplyAsync(_session.HandleSaslResponse(span), cancellationToken);
        }

        var command = Pop3CommandParser.Parse(span);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.Received(_logger, Redacted(command, span));
        }

        return await ApplyAsync(_session.Handle(command), cancellationToken);
    }

    // Differences 12: secrets are never logged.
    private static string Redacted(in Pop3Command command, ReadOnlySpan<byte> span) => command.Verb switch
    {
        Pop3Verb.Pass => "PASS [password not logged]",
        Pop3Verb.Apop => "APOP " + (command.Words.FirstOrDefault() ?? "") + " [digest not logged]",
        Pop3Verb.Auth when command.Words.Length > 1 => "AUTH " + command.Words[0] + " [initial response not logged]",
        _ => Encoding.UTF8.GetString(span),
    };

    /// <summary>Writes a step's lines and runs its operation chain; true when the connection must close.</summary>
    private async ValueTask<bool> ApplyAsync(Pop3Step step, CancellationToken cancellationToken)
    {
        while (true)
        {
            Stream? content = null;
            if (step.Operation is Pop3Operation.Retrieve pending && (content = await OpenRetrievedAsync(pending.Index, cancellationToken)) is null)
            {
                // Taken by another owner between the listing and this session's claim on it, or its content cannot be
                // opened: nothing of the step is written, so no +OK goes out for a message that cannot be sent (issue 24).
                step = _session.RetrieveFailed();
                continue;
            }

            Write(step.Lines);
            LogEvent(step.Event);
            switch (step.Operation)
            {
                case null:
                    return false;
                case Pop3Operation.Close:
                    if (_closeReason == "peer disconnected")
                    {
                        _closeReason = "pop protocol done";
                    }

                    return true;
                case Pop3Operation.StartTls:
                    _tlsRequested = true;
                    return false;
                case Pop3Operation.OpenMailbox open:
                    step = _session.MailboxOpened(await OpenMailboxAsync(open.User, cancellationToken));
                    break;
                case Pop3Operation.Retrieve retrieve:
                    await SendMessageAsync(retrieve, content!, cancellationToken);
                    _session.Retrieved();
                    return false;
                case Pop3Operation.Update update:
                    var removed = _maildrop is null || await _maildrop.DeleteAsync(update.Deleted, cancellationToken);
                    if (_maildrop is not null)
                    {
                        // The rest is unlocked before "+OK signing off": once the client has it, the forwarder may take them.
                        // What is left of the deleted messages' files goes after the reply, when the connection ends.
                        await _maildrop.UnlockRestAsync();
                    }

                    step = _session.Updated(removed);
                    break;
                default:
                    throw new InvalidOperationException("unknown pop3 operation");
            }
        }
    }

    private async Task<IReadOnlyList<Pop3Message>?> OpenMailboxAsync(string user, CancellationToken cancellationToken)
    {
        _timeout.CancelAfter(Timeout.InfiniteTimeSpan);
        var maildrop = await _services.Store.OpenAsync(user, cancellationToken);
        Rearm();
        if (maildrop is null)
        {
            return null;
        }

        _maildrop = maildrop;
        var messages = new Pop3Message[maildrop.Count];
        for (int i = 0; i < messages.Length; i++)
        {
            messages[i] = new Pop3Message(maildrop.SizeOf(i), maildrop.UidOf(i));
        }

        if (_session.AuthMechanism is { } mechanism)
        {
            Log.AuthSucceeded(_logger, mechanism, _session.AuthSecretInfo ?? "");
        }

        _services.Events.Connection(RelayEventKind.AuthSucceeded, RelayService.Pop, _connectionId, _session.AuthMechanism ?? "USER");

        Log.Authenticated(_logger, user, messages.Length);
        return messages;
    }

    // RETR and TOP: the content, dot-stuffed (RFC 1939 §3), then the terminating dot. The content was opened
    // before the +OK (OpenRetrievedAsync) and is read up to the size listed at login (a spool content file does
    // not change once committed): for a small message, one read and close.
    private async ValueTask<Stream?> OpenRetrievedAsync(int index, CancellationToken cancellationToken)
    {
        if (!await _maildrop!.WaitAvailableAsync(index, cancellationToken))
        {
            return null;
        }

        try
        {
            return _maildrop.OpenContent(index);
        }
        catch (SpoolException e)
        {
            Log.ContentError(_logger, e.Message);
            return null;
        }
    }

    private async Task SendMessageAsync(Pop3Operation.Retrieve retrieve, Stream content, CancellationToken cancellationToken)
    {
        var limiter = retrieve.BodyLines >= 0 ? new Pop3TopLimiter(retrieve.BodyLines) : null;
        _encoder.Reset();
        long size = _maildrop!.SizeOf(retrieve.Index);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(size, 1, ContentBufferSize));
        try
        {
            using var reading = content;
            long offset = 0;
            while (offset < size && limiter is not { IsDone: true })
            {
                int n = content.Read(buffer.AsSpan(0, (int)Math.Min(buffer.Length, size - offset)));
                if (n == 0)
                {
                    break;
                }

                offset += n;
                int take = limiter?.Take(buffer.AsSpan(0, n)) ?? n;
                _encoder.Encode(buffer.AsSpan(0, take), _transport.Writer);
                if (_transport.Writer.UnflushedBytes >= ContentBufferSize)
                {
                    Rearm();
                    await _transport.Writer.FlushAsync(cancellationToken);
                }
            }
        }
        catch (Exception e) when (e is SpoolException or IOException or UnauthorizedAccessException)
        {
            // Too late for -ERR: the +OK is out. End the reply so the client stays in step.
            Log.ContentError(_logger, e.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _encoder.Complete(_transport.Writer);
    }

    // RFC 2595 §4 and differences 8: nothing may be buffered after STLS, else drop the connection.
    private async ValueTask<bool> StartTlsAsync(long buffered, CancellationToken cancellationToken)
    {
        _tlsRequested = false;
        if (buffered > 0 || _services.TlsUpgrader is null)
        {
            Log.StlsInjection(_logger);
            _closeReason = "data pipelined after STLS";
            return false;
        }

        await _transport.UpgradeAsync(_services.TlsUpgrader, cancellationToken);
        _session.TlsEstablished();
        _services.Events.Connection(RelayEventKind.TlsEstablished, RelayService.Pop, _connectionId, Tls.TlsServer.ProtocolName(_transport.Stream));
        return true;
    }

    // After QUIT inside TLS: send close_notify, so the client sees a clean end rather than a truncation.
    private async Task CloseTlsAsync(CancellationToken cancellationToken)
    {
        if (_transport.Stream is SslStream ssl)
        {
            try
            {
                await ssl.ShutdownAsync().WaitAsync(_options.Limits.CloseTimeout, _services.TimeProvider, cancellationToken);
            }
            catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
            {
                // The peer has gone: nothing more to do.
            }
        }
    }

    private void LogEvent(Pop3Event ev)
    {
        switch (ev)
        {
            case Pop3Event.AuthenticationFailed:
                Log.AuthenticationFailed(_logger);
                _services.Events.Connection(RelayEventKind.AuthFailed, RelayService.Pop, _connectionId, _session.AuthMechanism ?? "USER");
                break;
            case Pop3Event.AuthFailureLimit:
                Log.AuthenticationFailed(_logger);
                _services.Events.Connection(RelayEventKind.AuthFailed, RelayService.Pop, _connectionId, _session.AuthMechanism ?? "USER");
                Log.AuthFailureLimit(_logger);
                _closeReason = "too many authentication failures";
                break;
        }
    }

    private void Write(IReadOnlyList<string> lines)
    {
        bool debug = _logger.IsEnabled(LogLevel.Debug);
        foreach (var line in lines)
        {
            var span = _transport.Writer.GetSpan(Encoding.UTF8.GetMaxByteCount(line.Length) + 2);
            int n = Encoding.UTF8.GetBytes(line, span);
            span[n] = (byte)'\r';
            span[n + 1] = (byte)'\n';
            _transport.Writer.Advance(n + 2);
            if (debug)
            {
                Log.Sent(_logger, line);
            }
        }
    }

    private async Task TrySendFinalAsync(string line)
    {
        try
        {
            using var limit = new CancellationTokenSource(_options.Limits.CloseTimeout, _services.TimeProvider);
            Write([line]);
            await _transport.Writer.FlushAsync(limit.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            // The peer is gone or not reading: nothing more to do.
        }
    }


    private void Rearm() => _timeout.CancelAfter(_options.Limits.IdleTimeout);


    private static string EndPointText(EndPoint? endPoint)
    {
        if (endPoint is IPEndPoint ip)
        {
            var address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
            return address + ":" + ip.Port.ToString(CultureInfo.InvariantCulture);
        }

        return endPoint?.ToString() ?? "";
    }
}
