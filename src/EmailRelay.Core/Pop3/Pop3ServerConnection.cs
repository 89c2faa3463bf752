using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
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
/// The POP3 server protocol for one connection (architecture §4b, as for SMTP), run by the
/// <see cref="ServerConnection"/> skeleton: frames command lines with the bounded <see cref="LineFramer"/>, feeds the
/// <see cref="Pop3ServerSession"/>, and runs its operations (open the maildrop, send a message dot-stuffed, STLS,
/// delete on QUIT). Calling sequence: construct, then <see cref="RunAsync"/> once; the stream is disposed when it
/// ends, and the maildrop is always released (nothing stays locked after a disconnect).
/// </summary>
internal sealed class Pop3ServerConnection : IServerProtocol, IDisposable
{
    private const int ContentBufferSize = 64 * 1024;

    private readonly Pop3ServerOptions _options;
    private readonly Pop3ServerServices _services;
    private readonly ILogger _logger;
    private readonly EndPoint? _remoteEndPoint;
    private readonly long _connectionId;
    private readonly Pop3ServerSession _session;
    private readonly SmtpDataEncoder _encoder = new();
    private readonly ServerConnection _connection;
    private PopMaildrop? _maildrop;
    private bool _overlong;
    private bool _tlsRequested;

    /// <summary>Creates the driver for one connection over <paramref name="stream"/>, which it disposes when done.</summary>
    /// <param name="stream">The accepted stream.</param>
    /// <param name="remoteEndPoint">The client.</param>
    /// <param name="connectionId">The process-wide connection number.</param>
    /// <param name="options">The server options.</param>
    /// <param name="services">The server services.</param>
    /// <param name="socket">The socket under <paramref name="stream"/> (a graceful close on drain), or null.</param>
    public Pop3ServerConnection(Stream stream, EndPoint? remoteEndPoint, long connectionId, Pop3ServerOptions options, Pop3ServerServices services, Socket? socket = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        _connection = new ServerConnection(stream, options.Limits, services.TimeProvider, socket);
        _options = options;
        _services = services;
        _logger = services.Logger;
        _remoteEndPoint = remoteEndPoint;
        _connectionId = connectionId;
        var policy = options.Policy with { TlsOffered = options.Policy.TlsOffered && services.TlsUpgrader is not null, AuthFailureLimit = options.Limits.AuthFailureLimit };
        _session = new Pop3ServerSession(policy, services.Mechanisms);
    }

    /// <inheritdoc />
    public bool IsReceivingContent => false;

    private PipeWriter Output => _connection.Transport.Writer;

    /// <summary>Releases the timer (also done when <see cref="RunAsync"/> ends).</summary>
    public void Dispose() => _connection.Idle.Dispose();

    /// <summary>
    /// Serves the connection until QUIT, an error, a timeout, the peer closing, <paramref name="draining"/> at the
    /// next command, or <paramref name="cancellationToken"/> (shutdown) at once.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken, CancellationToken draining = default)
    {
        using var scope = _logger.BeginScope(new ConnectionLogScope(_options.Unit, _remoteEndPoint, _connectionId));
        Log.ConnectionFrom(_logger, EndPointText(_remoteEndPoint));
        _services.Events.SessionOpened(RelayService.Pop, _connectionId, _remoteEndPoint);
        await _connection.RunAsync(this, _services.TlsUpgrader, cancellationToken, draining);
    }

    /// <inheritdoc />
    public ValueTask<bool> StartAsync(CancellationToken cancellationToken)
    {
        Write(_session.Start().Lines);
        return ValueTask.FromResult(false);
    }

    /// <inheritdoc />
    public async ValueTask<ProtocolProgress> ProcessAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var remaining = buffer;
        while (true)
        {
            var status = LineFramer.TryReadLine(remaining, _options.Limits.MaxCommandLineLength, out var line, out var next);
            if (status == LineStatus.Incomplete)
            {
                return new(remaining.Start, ProtocolNext.Read);
            }

            remaining = remaining.Slice(next);
            if (status == LineStatus.TooLong)
            {
                // Differences 9: the rest of an overlong line is discarded, then answered once.
                _overlong = true;
                continue;
            }

            _connection.Idle.Rearm();
            if (await HandleLineAsync(line, cancellationToken))
            {
                return new(remaining.Start, ProtocolNext.Close);
            }

            if (_tlsRequested)
            {
                _tlsRequested = false;
                return new(remaining.Start, ProtocolNext.StartTls);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TlsEstablishedAsync(CancellationToken cancellationToken)
    {
        _session.TlsEstablished();
        _services.Events.Connection(RelayEventKind.TlsEstablished, RelayService.Pop, _connectionId, Tls.TlsServer.ProtocolName(_connection.Transport.Stream));
        return ValueTask.FromResult(false);
    }

    /// <inheritdoc />
    public string TlsInjected()
    {
        Log.StlsInjection(_logger);
        return "data pipelined after STLS";
    }

    /// <inheritdoc />
    public void WriteFinal(ConnectionEnd end) => Write([end == ConnectionEnd.Timeout ? Pop3Replies.Timeout : Pop3Replies.Error]);

    /// <inheritdoc />
    public (string Reason, bool SendFinal) Failed(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Log.ConnectionFailed(_logger, exception.Message, exception);
        return (exception.Message, true);
    }

    /// <inheritdoc />
    public ValueTask EndingAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask ClosedAsync(string reason)
    {
        // The client was let go first: after QUIT it has its reply, and the deleted messages' leftovers are no business of its.
        if (_maildrop is not null)
        {
            // A disconnect without QUIT deletes nothing and leaves nothing locked.
            await _maildrop.DisposeAsync();
        }

        Log.ConnectionClosed(_logger, reason);
        _services.Events.SessionClosed(RelayService.Pop, _connectionId, _remoteEndPoint, reason);
    }

    private async ValueTask<bool> HandleLineAsync(ReadOnlySequence<byte> line, CancellationToken cancellationToken)
    {
        if (_overlong)
        {
            _overlong = false;
            return await ApplyAsync(_session.HandleOverlongLine(), cancellationToken);
        }

        var span = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
        if (!span.IsEmpty && span[^1] == (byte)'\r')
        {
            span = span[..^1];
        }

        if (_session.InputMode == Pop3InputMode.SaslResponse)
        {
            Log.ReceivedAuthResponse(_logger);

            return await ApplyAsync(_session.HandleSaslResponse(span), cancellationToken);
        }

        var command = Pop3CommandParser.Parse(span);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.Received(_logger, ProtocolTrace.Redact(Encoding.UTF8.GetString(span)));
        }

        return await ApplyAsync(_session.Handle(command), cancellationToken);
    }

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
                    if (_connection.CloseReason == "peer disconnected")
                    {
                        _connection.CloseReason = "pop protocol done";
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
        _connection.Idle.Suspend();
        var maildrop = await _services.Store.OpenAsync(user, cancellationToken);
        _connection.Idle.Rearm();
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
                _encoder.Encode(buffer.AsSpan(0, take), Output);
                if (Output.UnflushedBytes >= ContentBufferSize)
                {
                    _connection.Idle.Rearm();
                    await Output.FlushAsync(cancellationToken);
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

        _encoder.Complete(Output);
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
                _connection.CloseReason = "too many authentication failures";
                break;
        }
    }

    private void Write(IReadOnlyList<string> lines)
    {
        bool debug = _logger.IsEnabled(LogLevel.Debug);
        foreach (var line in lines)
        {
            var span = Output.GetSpan(Encoding.UTF8.GetMaxByteCount(line.Length) + 2);
            int n = Encoding.UTF8.GetBytes(line, span);
            span[n] = (byte)'\r';
            span[n + 1] = (byte)'\n';
            Output.Advance(n + 2);
            if (debug)
            {
                Log.Sent(_logger, line);
            }
        }
    }

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
