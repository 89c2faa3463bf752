using System.Buffers;
using System.Net;
using System.Text;
using EmailRelay.Diagnostics;
using EmailRelay.Events;
using EmailRelay.Net;
using EmailRelay.Protocol.Sasl;
using EmailRelay.Protocol.Smtp.Server;
using EmailRelay.Protocol.Smtp;
using EmailRelay.Protocol.Text;
using EmailRelay.Spool;
using EmailRelay.Verifiers;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Smtp.Server;

/// <summary>
/// The SMTP server driver for one connection (architecture §4b point 3): frames input, feeds the
/// <see cref="SmtpServerSession"/>, runs its operations (verifier, spool, <see cref="MessageIntake"/>),
/// writes and flushes replies, and enforces the byte and time limits of <see cref="Net.RelayLimits"/>.
/// Calling sequence: construct, then <see cref="RunAsync"/> once. The connection disposes the stream
/// when it ends. Exceptions are caught here, at the connection boundary, and logged once.
/// </summary>
internal sealed class SmtpServerConnection : IDisposable
{
    private readonly SmtpServerOptions _options;
    private readonly SmtpServerServices _services;
    private readonly ILogger _logger;
    private readonly PeerInfo _peer;
    private readonly EndPoint? _remoteEndPoint;
    private readonly long _connectionId;
    private readonly SmtpServerSession _session;
    private readonly MessageIntake _intake;
    private readonly PipeTransport _transport;
    private readonly CancellationTokenSource _timeout;
    private INewMessage? _message;
    private SmtpDataDecoder? _decoder;
    private PooledBufferWriter? _dataBuffer;
    private long _stored;
    private long _progress;
    private long _chunkRemaining;
    private bool _tooBig;
    private SpoolException? _writeFailure;
    private bool _draining;
    private bool _unflushed;
    private bool _tlsRequested;
    private readonly TrustedPeer? _trusted;
    private string _closeReason = "peer disconnected";

    /// <summary>Creates the driver for one connection over <paramref name="stream"/>, which it disposes when done.</summary>
    public SmtpServerConnection(Stream stream, EndPoint? remoteEndPoint, long connectionId, SmtpServerOptions options, SmtpServerServices services)
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
        _peer = ToPeerInfo(remoteEndPoint);
        var policy = options.Policy with
        {
            ClientErrorLimit = options.Limits.ClientErrorLimit,
            MaxMessageSize = options.Policy.MaxMessageSize > 0 ? options.Policy.MaxMessageSize : options.Limits.MaxMessageSize,
            TlsOffered = options.Policy.TlsOffered && services.TlsUpgrader is not null,
        };
        _trusted = services.Sasl is not null && remoteEndPoint is IPEndPoint ipPeer ? services.Sasl.Secrets.FindTrusted(ipPeer.Address) : null;
        _session = new SmtpServerSession(policy, services.TimeProvider, _peer) { Sasl = services.Sasl, Trusted = _trusted, AuthFailureLimit = options.Limits.AuthFailureLimit };
        _intake = new MessageIntake(services.Filter, _logger, services.ForwardingRequested) { OpenImmediateSession = services.OpenImmediateSession, Events = services.Events };
        _timeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, services.TimeProvider);
    }

    /// <summary>Releases the timer (also done when <see cref="RunAsync"/> ends).</summary>
    public void Dispose() => _timeout.Dispose();

    /// <summary>The policy the session runs with (options merged with the limits).</summary>
    private SmtpServerPolicy Policy => _options.Policy;

    /// <summary>Serves the connection until QUIT, an error, a timeout, the peer closing, or <paramref name="cancellationToken"/> (shutdown).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var scope = _logger.BeginScope(new ConnectionLogScope(_options.Unit, _remoteEndPoint, _connectionId));
        Log.ConnectionFrom(_logger, _peer.Endpoint);
        _services.Events.SessionOpened(RelayService.Smtp, _connectionId, _remoteEndPoint);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timeout.Token);
        try
        {
            Rearm();
            if (_trusted is not null)
            {
                Log.Trusting(_logger, _peer.Address, _trusted.Pattern, _trusted.Line);
            }

            if (_options.ImplicitTls && _services.TlsUpgrader is not null)
            {
                // SMTPS: the handshake comes first, then the greeting.
                await _transport.UpgradeAsync(_services.TlsUpgrader, linked.Token);
                _session.TlsEstablished(TlsInfoOf(_transport.Stream));
            }

            await ApplyAsync(_session.Start(), linked.Token);
            await FlushAsync(linked.Token);
            await ReadLoopAsync(linked.Token);
        }
        catch (OperationCanceledException) when (_timeout.IsCancellationRequested || cancellationToken.IsCancellationRequested)
        {
            var timedOut = !cancellationToken.IsCancellationRequested;
            _closeReason = timedOut ? "timeout" : "shutdown";
            await TrySendFinalAsync(timedOut ? SmtpServerReplies.Timeout : SmtpServerReplies.ShuttingDown);
        }
        catch (IOException e)
        {
            _closeReason = e.Message;
        }
        catch (System.Security.Authentication.AuthenticationException e)
        {
            // A failed handshake (a client certificate --server-tls-verify refuses): E-MailRelay's "tls error" line.
            var reason = e.Message.Contains("RemoteCertificateValidationCallback", StringComparison.Ordinal) ? "certificate verify failed" : e.Message;
            Log.TlsError(_logger, reason);
            _closeReason = "tls error: " + reason;
        }
        catch (Exception e)
        {
            Log.ConnectionFailed(_logger, e.Message, e);
            _closeReason = e.Message;
            await TrySendFinalAsync(SmtpServerReplies.ServiceNotAvailable);
        }
        finally
        {
            await DisposeMessageAsync();
            await _transport.DisposeAsync();
            await _intake.DisposeAsync();
            _timeout.Dispose();
            Log.ConnectionClosed(_logger, _closeReason);
            _services.Events.SessionClosed(RelayService.Smtp, _connectionId, _remoteEndPoint, _closeReason);
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _transport.Reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            var leftover = 0L;
            bool close;
            try
            {
                (close, consumed) = await ProcessAsync(buffer, cancellationToken);
            }
            finally
            {
                leftover = buffer.Slice(consumed).Length;
                _transport.Reader.AdvanceTo(consumed, examined);
            }

            // PIPELINING: flush once no complete line is left in the buffer.
            await FlushAsync(cancellationToken);
            if (close)
            {
                return;
            }

            if (_tlsRequested)
            {
                if (!await StartTlsAsync(leftover, cancellationToken))
                {
                    return;
                }

                continue;
            }

            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>Handles everything complete in <paramref name="buffer"/>; returns where it stopped.</summary>
    private async ValueTask<(bool Close, SequencePosition Consumed)> ProcessAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var remaining = buffer;
        while (!_tlsRequested)
        {
            switch (_session.InputMode)
            {
                case InputMode.Command:
                    var status = LineFramer.TryReadLine(remaining, _options.Limits.MaxCommandLineLength, out var line, out var next);
                    if (status == LineStatus.Incomplete)
                    {
                        return (false, remaining.Start);
                    }

                    remaining = remaining.Slice(next);
                    if (status == LineStatus.TooLong)
                    {
                        _draining = true;
                        continue;
                    }

                    Rearm();
                    if (await HandleLineAsync(line, cancellationToken))
                    {
                        return (true, remaining.Start);
                    }

                    break;
                case InputMode.SaslResponse:
                    var saslStatus = LineFramer.TryReadLine(remaining, _options.Limits.MaxCommandLineLength, out var saslLine, out var saslNext);
                    if (saslStatus == LineStatus.Incomplete)
                    {
                        return (false, remaining.Start);
                    }

                    remaining = remaining.Slice(saslNext);
                    Rearm();
                    if (_logger.IsEnabled(LogLevel.Debug))
                    {
                        Log.Received(_logger, "[authentication response not logged]");
                    }

                    // Differences 12: the response is never logged. An overlong one is simply malformed.
                    string response = saslStatus == LineStatus.TooLong ? "!" : Encoding.ASCII.GetString(saslLine);
                    if (await ApplyAsync(_session.HandleAuthResponse(response), cancellationToken))
                    {
                        return (true, remaining.Start);
                    }

                    break;
                case InputMode.Data:
                    (var dataDone, remaining) = await DecodeDataAsync(remaining, cancellationToken);
                    if (!dataDone)
                    {
                        return (false, remaining.Start);
                    }

                    if (await ApplyAsync(_session.DataCompleted(DataOutcomeNow()), cancellationToken))
                    {
                        return (true, remaining.Start);
                    }

                    break;
                case InputMode.Chunk:
                    (var chunkDone, remaining) = await CopyChunkAsync(remaining, cancellationToken);
                    if (!chunkDone)
                    {
                        return (false, remaining.Start);
                    }

                    if (await ApplyAsync(_session.DataCompleted(DataOutcomeNow()), cancellationToken))
                    {
                        return (true, remaining.Start);
                    }

                    break;
                default:
                    return (true, remaining.Start);
            }
        }

        return (false, remaining.Start);
    }

    private async ValueTask<bool> HandleLineAsync(ReadOnlySequence<byte> line, CancellationToken cancellationToken)
    {
        if (_draining)
        {
            // Differences 9: the tail of an overlong line is discarded, then answered.
            _draining = false;
            return await ApplyAsync(_session.HandleOverlongLine(), cancellationToken);
        }

        var span = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
        SmtpCommandParser.TryParse(span, _session.Policy, out var command, out _);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.Received(_logger, command.Verb == SmtpVerb.Auth ? "AUTH [authentication response not logged]" : Encoding.UTF8.GetString(span));
        }

        return await ApplyAsync(_session.Handle(command), cancellationToken);
    }

    private DataOutcome DataOutcomeNow()
    {
        if (_decoder is { SawBareNewline: true } && Policy.BareNewlines == BareNewlinePolicy.Reject && _session.InputMode == InputMode.Data)
        {
            return DataOutcome.BareNewline;
        }

        return _tooBig ? DataOutcome.TooBig : DataOutcome.Complete;
    }

    private async ValueTask<(bool Done, ReadOnlySequence<byte> Remaining)> DecodeDataAsync(ReadOnlySequence<byte> input, CancellationToken cancellationToken)
    {
        _decoder ??= new SmtpDataDecoder(Policy.BareNewlines);
        _dataBuffer ??= new PooledBufferWriter(_options.Limits.ReadBufferSize);
        var done = _decoder.Decode(input, _dataBuffer, out var consumed);
        var remaining = input.Slice(consumed);
        _progress += input.Length - remaining.Length;
        await StoreAsync(_dataBuffer.WrittenMemory, cancellationToken);
        _dataBuffer.Clear();
        return (done, remaining);
    }

    // RFC 3030 §2: exactly chunk-size octets follow BDAT, stored raw.
    private async ValueTask<(bool Done, ReadOnlySequence<byte> Remaining)> CopyChunkAsync(ReadOnlySequence<byte> input, CancellationToken cancellationToken)
    {
        var take = Math.Min(input.Length, _chunkRemaining);
        foreach (var segment in input.Slice(0, take))
        {
            await StoreAsync(segment, cancellationToken);
        }

        _chunkRemaining -= take;
        _progress += take;
        return (_chunkRemaining == 0, input.Slice(take));
    }

    /// <summary>Appends content unless over <c>--size</c> or after a write failure (then it is counted and discarded).</summary>
    private async ValueTask StoreAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_progress >= _options.Limits.MinimumDataProgress)
        {
            // Differences 15: only real progress re-arms the idle timer during content.
            Rearm();
        }

        if (data.IsEmpty)
        {
            return;
        }

        _stored += data.Length;
        var max = _session.Policy.MaxMessageSize;
        if (max > 0 && _stored > max)
        {
            // Reference §g: size includes the Received line; keep reading to the end, then 552.
            _tooBig = true;
        }

        if (_tooBig || _writeFailure is not null || _message is null)
        {
            return;
        }

        try
        {
            await _message.WriteAsync(data, cancellationToken);
        }
        catch (SpoolException e)
        {
            Log.SpoolError(_logger, e.Message, e);
            _writeFailure = e;
        }
    }

    /// <summary>Writes a step's replies and runs its operation chain; true when the connection must close.</summary>
    private async ValueTask<bool> ApplyAsync(SessionStep step, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (step.EndsMessage)
            {
                await DisposeMessageAsync();
            }

            // The two fields, not the Replies iterator: no allocation per step.
            if (step.Reply is { } reply)
            {
                Write(reply);
            }

            if (step.FinalReply is { } finalReply)
            {
                Write(finalReply);
            }

            LogEvent(step.Event);
            if (step.ContentPrefix is not null || _session.InputMode is InputMode.Data or InputMode.Chunk)
            {
                await BeginContentAsync(step.ContentPrefix, cancellationToken);
            }

            if (step.Flush)
            {
                await FlushAsync(cancellationToken);
            }

            switch (step.Operation)
            {
                case null:
                    return false;
                case SessionOperation.Close:
                    if (step.Event.Kind == SessionEventKind.None)
                    {
                        _closeReason = "smtp protocol done";
                    }

                    return true;
                case SessionOperation.StartTls:
                    _tlsRequested = true;
                    return false;
                default:
                    // Verifiers and filters have their own timeouts: the idle timer waits while they run.
                    _timeout.CancelAfter(Timeout.InfiniteTimeSpan);
                    step = _session.Complete(await RunOperationAsync(step.Operation, cancellationToken));
                    Rearm();
                    break;
            }
        }
    }

    private async ValueTask<OperationResult> RunOperationAsync(SessionOperation operation, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case SessionOperation.VerifyRecipient verify:
                var request = new VerifierRequest(verify.Address, verify.From, _peer.Endpoint, _options.Domain, _session.VerifierAuthMechanism, _session.VerifierAuthId);
                return OperationResult.Verified(await _services.Verifier.VerifyAsync(request, cancellationToken));
            case SessionOperation.BeginMessage:
                return await BeginMessageAsync(cancellationToken);
            case SessionOperation.CommitMessage commit:
                return await CommitAsync(commit, cancellationToken);
            default:
                throw new InvalidOperationException("unknown session operation");
        }
    }

    private async ValueTask BeginContentAsync(byte[]? prefix, CancellationToken cancellationToken)
    {
        if (_session.InputMode == InputMode.Chunk)
        {
            _chunkRemaining = _session.ChunkSize;
        }

        if (prefix is null && _session.InputMode != InputMode.Data)
        {
            return;
        }

        // A new DATA, or the first BDAT: reset the counters, then the Received line goes first.
        Log.ContentNotLogged(_logger);
        _decoder?.Reset();
        _stored = 0;
        _progress = 0;
        _tooBig = false;
        _writeFailure = null;
        if (prefix is not null)
        {
            await StoreAsync(prefix, cancellationToken);
        }
    }

    private async ValueTask<OperationResult> BeginMessageAsync(CancellationToken cancellationToken)
    {
        // Reference §b: a new MAIL aborts any partial message; the content is created at MAIL.
        await DisposeMessageAsync();
        try
        {
            _message = await _services.Spool.CreateAsync(cancellationToken);
            return OperationResult.Success;
        }
        catch (SpoolException e)
        {
            Log.SpoolError(_logger, e.Message, e);
            return OperationResult.Failure(e.IsDiskFull ? SmtpServerReplies.DiskFull : SmtpServerReplies.TransactionFailed);
        }
    }

    private async ValueTask<OperationResult> CommitAsync(SessionOperation.CommitMessage commit, CancellationToken cancellationToken)
    {
        _dataBuffer?.Release();
        if (_message is null)
        {
            return OperationResult.Failure(SmtpServerReplies.TransactionFailed);
        }

        if (_writeFailure is not null)
        {
            // Nothing is acknowledged after a failed write: 452 for a full disk, else 451.
            return OperationResult.Failure(_writeFailure.IsDiskFull ? SmtpServerReplies.DiskFull : SmtpServerReplies.TransactionFailed);
        }

        var result = await _intake.CommitAsync(_message, commit.Envelope, cancellationToken);
        if (result.IsSuccess)
        {
            _services.Events.MessageReceived(_connectionId, _message.Id, _stored);
        }

        return result;
    }

    // RFC 3207 §4.2 and differences 8: nothing may be buffered after STARTTLS, else drop the connection.
    // Returns false when the connection must close.
    private async ValueTask<bool> StartTlsAsync(long buffered, CancellationToken cancellationToken)
    {
        _tlsRequested = false;
        if (buffered > 0 || _services.TlsUpgrader is null)
        {
            Log.StartTlsInjection(_logger);
            _closeReason = "data pipelined after STARTTLS";
            return false;
        }

        await _transport.UpgradeAsync(_services.TlsUpgrader, cancellationToken);
        return !await ApplyAsync(_session.TlsEstablished(TlsInfoOf(_transport.Stream)), cancellationToken);
    }

    private TlsInfo TlsInfoOf(Stream stream)
    {
        var cipher = _services.TlsCipher?.Invoke(stream) ?? "";
        var certificate = _services.TlsClientCertificate?.Invoke(stream) ?? "";
        Log.TlsEstablished(_logger, EmailRelay.Net.EndPointText.Format(_remoteEndPoint), EmailRelay.Tls.TlsServer.ProtocolName(stream), EmailRelay.Tls.TlsServer.CipherName(stream));
        _services.Events.Connection(RelayEventKind.TlsEstablished, RelayService.Smtp, _connectionId, Tls.TlsServer.ProtocolName(stream));
        return new TlsInfo(cipher) { ClientCertificate = certificate };
    }

    private void Write(SmtpReply reply)
    {
        reply.WriteTo(_transport.Writer);
        _unflushed = true;
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            foreach (var line in reply.ToString().Split("\r\n"))
            {
                Log.Sent(_logger, line);
            }
        }
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_unflushed)
        {
            _unflushed = false;
            await _transport.Writer.FlushAsync(cancellationToken);
        }
    }

    private async Task TrySendFinalAsync(SmtpReply reply)
    {
        try
        {
            using var limit = new CancellationTokenSource(_options.Limits.CloseTimeout, _services.TimeProvider);
            Write(reply);
            await FlushAsync(limit.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            // The peer is gone or not reading: nothing more to do.
        }
    }


    private async ValueTask DisposeMessageAsync()
    {
        var message = _message;
        _message = null;
        _dataBuffer?.Release();
        if (message is not null)
        {
            await message.DisposeAsync();
        }
    }

    private void LogEvent(SessionEvent ev)
    {
        switch (ev.Kind)
        {
            case SessionEventKind.EmptyReturnPath:
                Log.EmptyReturnPath(_logger);
                break;
            case SessionEventKind.RecipientRejected:
                Log.RejectingRecipient(_logger, ev.Address, ev.Response, ev.Reason);
                break;
            case SessionEventKind.ErrorLimitReached:
                _closeReason = "too many protocol errors";
                Log.ErrorLimitReached(_logger, ev.Response);
                break;
            case SessionEventKind.VerifierAbort:
                _closeReason = "address verifier abort";
                break;
            case SessionEventKind.AuthSucceeded:
                Log.AuthSucceeded(_logger, ev.Response.ToLowerInvariant(), ev.Reason);
                _services.Events.Connection(RelayEventKind.AuthSucceeded, RelayService.Smtp, _connectionId, ev.Response);
                break;
            case SessionEventKind.AuthFailed:
                Log.AuthFailed(_logger, ev.Address, ev.Response);
                _services.Events.Connection(RelayEventKind.AuthFailed, RelayService.Smtp, _connectionId, ev.Response);
                if (_session.InputMode == InputMode.Closed)
                {
                    _closeReason = "too many authentication failures";
                }

                break;
            case SessionEventKind.AuthNotAdvertised:
                Log.AuthNotAdvertised(_logger, ev.Reason);
                break;
            case SessionEventKind.MessageTooBig or SessionEventKind.BareNewlineRejected:
                Log.MessageRejected(_logger, ev.Kind.ToString());
                break;
        }
    }

    private void Rearm()
    {
        _progress = 0;
        _timeout.CancelAfter(_options.Limits.IdleTimeout);
    }


    private static PeerInfo ToPeerInfo(EndPoint? endPoint)
    {
        if (endPoint is IPEndPoint ip)
        {
            var address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
            var text = address.ToString();
            return new PeerInfo(text, text + ":" + ip.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var name = endPoint?.ToString() ?? "";
        return new PeerInfo(name, name);
    }
}
