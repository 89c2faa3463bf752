using System.Buffers;
using System.Net;
using System.Net.Sockets;
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
/// The SMTP server protocol for one connection (architecture §4b point 3), run by the <see cref="ServerConnection"/>
/// skeleton: frames command lines, feeds the <see cref="SmtpServerSession"/>, runs its operations (verifier, spool,
/// <see cref="MessageIntake"/>) and writes the replies; the content goes through <see cref="SmtpContentReceiver"/>.
/// Calling sequence: construct, then <see cref="RunAsync"/> once. The connection disposes the stream when it ends.
/// Exceptions are caught at the connection boundary (the skeleton) and logged once.
/// </summary>
internal sealed partial class SmtpServerConnection : IServerProtocol, IDisposable
{
    private readonly SmtpServerOptions _options;
    private readonly SmtpServerServices _services;
    private readonly ILogger _logger;
    private readonly PeerInfo _peer;
    private readonly EndPoint? _remoteEndPoint;
    private readonly long _connectionId;
    private readonly SmtpServerSession _session;
    private readonly MessageIntake _intake;
    private readonly ServerConnection _connection;
    private readonly SmtpContentReceiver _content;
    private readonly TrustedPeer? _trusted;
    private bool _overlong;
    private bool _tlsRequested;

    /// <summary>Creates the driver for one connection over <paramref name="stream"/>, which it disposes when done.</summary>
    /// <param name="stream">The accepted stream.</param>
    /// <param name="remoteEndPoint">The client.</param>
    /// <param name="connectionId">The process-wide connection number.</param>
    /// <param name="options">The server options.</param>
    /// <param name="services">The server services.</param>
    /// <param name="socket">The socket under <paramref name="stream"/> (a graceful close on drain), or null.</param>
    public SmtpServerConnection(Stream stream, EndPoint? remoteEndPoint, long connectionId, SmtpServerOptions options, SmtpServerServices services, Socket? socket = null)
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
        _content = new SmtpContentReceiver(_session, options.Limits, options.Policy.BareNewlines, _logger, _connection.Idle.Rearm);
    }

    /// <summary>The address the client connected to, for the session event (admin <c>status</c>'s <c>IN:</c> lines).</summary>
    public EndPoint? LocalEndPoint { get; init; }

    /// <inheritdoc />
    public bool IsReceivingContent => _session.InputMode is InputMode.Data or InputMode.Chunk;

    /// <summary>Releases the timer (also done when <see cref="RunAsync"/> ends).</summary>
    public void Dispose() => _connection.Idle.Dispose();

    /// <summary>
    /// Serves the connection until QUIT, an error, a timeout, the peer closing, <paramref name="draining"/> at the
    /// next command boundary, or <paramref name="cancellationToken"/> (shutdown) at once.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken, CancellationToken draining = default)
    {
        using var scope = _logger.BeginScope(new ConnectionLogScope(_options.Unit, _remoteEndPoint, _connectionId));
        Log.ConnectionFrom(_logger, _peer.Endpoint);
        _services.Events.SessionOpened(RelayService.Smtp, _connectionId, _remoteEndPoint, LocalEndPoint);
        await _connection.RunAsync(this, _services.TlsUpgrader, cancellationToken, draining);
    }

    /// <inheritdoc />
    public async ValueTask<bool> StartAsync(CancellationToken cancellationToken)
    {
        if (_trusted is not null)
        {
            Log.Trusting(_logger, _peer.Address, _trusted.Pattern, _trusted.Line);
        }

        if (_options.ImplicitTls && _services.TlsUpgrader is not null)
        {
            // SMTPS: the handshake comes first, then the greeting.
            await _connection.Transport.UpgradeAsync(_services.TlsUpgrader, cancellationToken);
            _session.TlsEstablished(TlsInfoOf(_connection.Transport.Stream));
        }

        await ApplyAsync(_session.Start(), cancellationToken);
        return false;
    }

    /// <inheritdoc />
    public async ValueTask<bool> TlsEstablishedAsync(CancellationToken cancellationToken) =>
        await ApplyAsync(_session.TlsEstablished(TlsInfoOf(_connection.Transport.Stream)), cancellationToken);

    /// <inheritdoc />
    public string TlsInjected()
    {
        Log.StartTlsInjection(_logger);
        return "data pipelined after STARTTLS";
    }

    /// <inheritdoc />
    public void WriteFinal(ConnectionEnd end) => Write(end switch
    {
        ConnectionEnd.Timeout => SmtpServerReplies.Timeout,
        ConnectionEnd.Shutdown => SmtpServerReplies.ShuttingDown,
        _ => SmtpServerReplies.ServiceNotAvailable,
    });

    /// <inheritdoc />
    public (string Reason, bool SendFinal) Failed(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is System.Security.Authentication.AuthenticationException)
        {
            // A failed handshake (a client certificate --server-tls-verify refuses): E-MailRelay's "tls error" line.
            var reason = exception.Message.Contains("RemoteCertificateValidationCallback", StringComparison.Ordinal) ? "certificate verify failed" : exception.Message;
            Log.TlsError(_logger, reason);
            return ("tls error: " + reason, false);
        }

        Log.ConnectionFailed(_logger, exception.Message, exception);
        return (exception.Message, true);
    }

    /// <inheritdoc />
    public ValueTask EndingAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask ClosedAsync(string reason)
    {
        // A message not acknowledged is abandoned: its files are removed (nothing half-received is kept).
        await _content.DisposeMessageAsync();
        await _intake.DisposeAsync();
        Log.ConnectionClosed(_logger, reason);
        _services.Events.SessionClosed(RelayService.Smtp, _connectionId, _remoteEndPoint, reason);
    }

    /// <inheritdoc />
    public async ValueTask<ProtocolProgress> ProcessAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var remaining = buffer;
        while (true)
        {
            bool close;
            switch (_session.InputMode)
            {
                case InputMode.Command:
                    var status = LineFramer.TryReadLine(remaining, _options.Limits.MaxCommandLineLength, out var line, out var next);
                    if (status == LineStatus.Incomplete)
                    {
                        return new(remaining.Start, ProtocolNext.Read);
                    }

                    remaining = remaining.Slice(next);
                    if (status == LineStatus.TooLong)
                    {
                        _overlong = true;
                        continue;
                    }

                    Rearm();
                    close = await HandleLineAsync(line, cancellationToken);
                    break;
                case InputMode.SaslResponse:
                    var saslStatus = LineFramer.TryReadLine(remaining, _options.Limits.MaxCommandLineLength, out var saslLine, out var saslNext);
                    if (saslStatus == LineStatus.Incomplete)
                    {
                        return new(remaining.Start, ProtocolNext.Read);
                    }

                    remaining = remaining.Slice(saslNext);
                    Rearm();
                    Log.ReceivedAuthResponse(_logger);

                    // Differences 12: the response is never logged. An overlong one is simply malformed.
                    string response = saslStatus == LineStatus.TooLong ? "!" : Encoding.ASCII.GetString(saslLine);
                    close = await ApplyAsync(_session.HandleAuthResponse(response), cancellationToken);
                    break;
                case InputMode.Data:
                    (var dataDone, remaining) = await _content.DecodeDataAsync(remaining, cancellationToken);
                    if (!dataDone)
                    {
                        return new(remaining.Start, ProtocolNext.Read);
                    }

                    close = await ApplyAsync(_session.DataCompleted(_content.Outcome()), cancellationToken);
                    break;
                case InputMode.Chunk:
                    (var chunkDone, remaining) = await _content.CopyChunkAsync(remaining, cancellationToken);
                    if (!chunkDone)
                    {
                        return new(remaining.Start, ProtocolNext.Read);
                    }

                    close = await ApplyAsync(_session.DataCompleted(_content.Outcome()), cancellationToken);
                    break;
                default:
                    return new(remaining.Start, ProtocolNext.Close);
            }

            if (close)
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

    private async ValueTask<bool> HandleLineAsync(ReadOnlySequence<byte> line, CancellationToken cancellationToken)
    {
        if (_overlong)
        {
            // Differences 9: the tail of an overlong line is discarded, then answered.
            _overlong = false;
            return await ApplyAsync(_session.HandleOverlongLine(), cancellationToken);
        }

        var span = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
        SmtpCommandParser.TryParse(span, _session.Policy, out var command, out _);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.Received(_logger, ProtocolTrace.Redact(Encoding.UTF8.GetString(span)));
        }

        return await ApplyAsync(_session.Handle(command), cancellationToken);
    }

    /// <summary>Writes a step's replies and runs its operation chain; true when the connection must close.</summary>
    private async ValueTask<bool> ApplyAsync(SessionStep step, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (step.EndsMessage)
            {
                await _content.DisposeMessageAsync();
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
                await _content.BeginContentAsync(step.ContentPrefix, cancellationToken);
            }

            if (step.Flush)
            {
                await _connection.FlushAsync(cancellationToken);
            }

            switch (step.Operation)
            {
                case null:
                    return false;
                case SessionOperation.Close:
                    if (step.Event.Kind == SessionEventKind.None)
                    {
                        _connection.CloseReason = "smtp protocol done";
                    }

                    return true;
                case SessionOperation.StartTls:
                    _tlsRequested = true;
                    return false;
                default:
                    // Verifiers and filters have their own timeouts: the idle timer waits while they run.
                    _connection.Idle.Suspend();
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

    private async ValueTask<OperationResult> BeginMessageAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _content.BeginMessageAsync(_services.Spool.CreateAsync, cancellationToken);
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
        _content.ReleaseBuffer();
        if (_content.Message is not { } message)
        {
            return OperationResult.Failure(SmtpServerReplies.TransactionFailed);
        }

        if (_content.WriteFailure is { } failure)
        {
            // Nothing is acknowledged after a failed write: 452 for a full disk, else 451.
            return OperationResult.Failure(failure.IsDiskFull ? SmtpServerReplies.DiskFull : SmtpServerReplies.TransactionFailed);
        }

        var result = await _intake.CommitAsync(message, commit.Envelope, cancellationToken);
        if (result.IsSuccess)
        {
            _services.Events.MessageReceived(_connectionId, message.Id, _content.Stored);
        }

        return result;
    }

    private void Write(SmtpReply reply)
    {
        reply.WriteTo(_connection.Transport.Writer);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            foreach (var line in reply.ToString().Split("\r\n"))
            {
                Log.Sent(_logger, line);
            }
        }
    }

    private void Rearm()
    {
        _content.ResetProgress();
        _connection.Idle.Rearm();
    }
}
