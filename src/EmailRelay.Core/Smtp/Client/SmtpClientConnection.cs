using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using EmailRelay.Net;
using EmailRelay.Protocol.Smtp;
using EmailRelay.Protocol.Smtp.Client;
using EmailRelay.Protocol.Text;
using EmailRelay.Tls;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Smtp.Client;

/// <summary>
/// The driver for <see cref="SmtpClientSession"/>: owns the socket (or any stream), reads replies with the
/// prompt and response timeouts, writes commands in single writes and the dot-stuffed body in large writes with
/// the final dot in the same write as the end of the body. It runs the TLS handshakes (SMTPS before the greeting,
/// STARTTLS when the session asks, dropping whatever the server sent before the handshake: differences 8), gives the
/// session the account selector's client secrets before the first message (OAuth grants resolved to tokens by
/// <see cref="ClientTokens"/>), and connects through SOCKS4a.
/// </summary>
internal sealed class SmtpClientConnection : IAsyncDisposable
{
    /// <summary>Body bytes buffered before a write: large writes, few system calls.</summary>
    private const int WriteThreshold = 256 * 1024;

    private const int ReadSize = 64 * 1024;

    /// <summary>The reason for a <c>--client-auth</c> account selector with no <c>client</c> line (reference §d).</summary>
    public const string InvalidSelector = "invalid client account selector";

    private readonly PipeTransport _transport;
    private readonly Socket? _socket;
    private readonly string _peer;
    private readonly string _tlsHost;
    private readonly ArrayBufferWriter<byte> _output = new(ReadSize);
    private readonly SmtpReplyReader _replies = new();
    private readonly SmtpClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SmtpClientSession _session;
    private Task<ReadResult>? _pendingRead;
    private CancellationTokenSource? _deadline;
    private bool _broken;
    private bool _secretsGiven;
    private int _transactionReplies;
    private int _firstReplyCode;
    private bool _closedByPeer;

    /// <summary>Wraps a connected stream (tests use an in-memory duplex stream).</summary>
    /// <param name="stream">The connected stream.</param>
    /// <param name="localAddress">The local address text, for the EHLO name rule.</param>
    /// <param name="options">The client options.</param>
    /// <param name="time">The clock for timeouts.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="socket">The socket under <paramref name="stream"/>, if any.</param>
    /// <param name="peer">The peer for log lines, e.g. <c>127.0.0.1:25</c>.</param>
    /// <param name="tlsHost">The target host name: the TLS SNI name unless <c>--client-tls-server-name</c> is given.</param>
    public SmtpClientConnection(Stream stream, string localAddress, SmtpClientOptions options, TimeProvider time, ILogger logger, Socket? socket = null,
        string peer = "", string tlsHost = "localhost")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        _transport = new PipeTransport(stream, ReadSize);
        _socket = socket;
        _peer = peer;
        _tlsHost = tlsHost;
        _options = options;
        _time = time;
        _logger = logger;
        _session = new SmtpClientSession(options.Policy with { EhloName = SmtpClientPolicy.EhloNameFor(options.Domain, localAddress) });
    }

    /// <summary>The server's address as logged (<c>127.0.0.1:25</c>), empty for an in-memory stream.</summary>
    public string Peer => _peer;

    /// <summary>Where the connection raises <see cref="Events.RelayEventKind.TlsEstablished"/>; null: nowhere.</summary>
    public Events.RelayEvents? Events { get; set; }

    /// <summary>
    /// The OAuth grants whose tokens this connection took from the cache rather than acquiring them (empty when
    /// none): when the server refuses them, the attempt drops those tokens and tries once more with new ones.
    /// </summary>
    public List<(Protocol.Sasl.OAuthGrant Grant, string Token)> CachedTokens { get; } = [];

    /// <summary>Whether the connection can take another message.</summary>
    public bool IsUsable => !_broken && _session.IsReady;

    /// <summary>
    /// After <see cref="SendAsync"/>: whether the server closed the connection (or replied 421, RFC 5321 §3.8) before
    /// replying to anything else of the transaction, so that no part of the message can have been accepted. On a
    /// connection kept from earlier, that is a server's idle timeout racing our MAIL, and the message may simply go
    /// again over a new connection.
    /// </summary>
    public bool ClosedBeforeTransaction => (_broken && _closedByPeer && _transactionReplies == 0) || (_transactionReplies >= 1 && _firstReplyCode == 421);

    /// <summary>
    /// Whether a connection idle between messages is still open with nothing unread: false when the server has
    /// closed it or sent something unprompted (a 421 at its idle timeout). Only between messages.
    /// </summary>
    /// <returns>False when the connection should not carry another message.</returns>
    public bool IsOpenAndQuiet()
    {
        if (_pendingRead is not null)
        {
            return true;
        }

        if (_transport.Reader.TryRead(out var buffered))
        {
            var quiet = buffered.Buffer.IsEmpty && !buffered.IsCompleted;
            _transport.Reader.AdvanceTo(buffered.Buffer.Start);
            if (!quiet)
            {
                return false;
            }
        }

        try
        {
            // Readable with nothing expected means data or the end of the stream: either way, not for us.
            return _socket is null || !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Connects to <paramref name="target"/> within the connection timeout, binding <c>--client-interface</c> if given.</summary>
    /// <param name="target">The target.</param>
    /// <param name="options">The options.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The connection, before the greeting.</returns>
    /// <exception cref="SmtpConnectException">The connection could not be made.</exception>
    public static async Task<SmtpClientConnection> ConnectAsync(ForwardTarget target, SmtpClientOptions options, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        options = WithRouteTls(target, options, time);
        Socket? socket = null;
        var display = target.ToString();
        var hop = target.Socks ?? target;
        using var timeout = new CancellationTokenSource(options.ConnectionTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            EndPoint endPoint;
            if (hop.IsUnixSocket)
            {
                socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                endPoint = new UnixDomainSocketEndPoint(hop.Host);
            }
            else
            {
                IPAddress? bind = options.ClientInterface is { Length: > 0 } text ? IPAddress.Parse(text) : null;
                var address = await ResolveAsync(hop.Host, bind?.AddressFamily, linked.Token);
                var hopDisplay = new IPEndPoint(address, hop.Port).ToString();
                display = target.Socks is null ? hopDisplay : target + "@" + hopDisplay;
                socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                if (bind is not null && !bind.Equals(IPAddress.Any) && !bind.Equals(IPAddress.IPv6Any))
                {
                    socket.Bind(new IPEndPoint(bind, 0));
                }

                if (!options.Linger)
                {
                    socket.LingerState = new LingerOption(true, 0);
                }

                endPoint = new IPEndPoint(address, hop.Port);
            }

            await socket.ConnectAsync(endPoint, linked.Token);
            var stream = new NetworkStream(socket, ownsSocket: true);
            if (target.Socks is not null)
            {
                await SocksConnectAsync(stream, target, display, linked.Token);
            }

            Log.ConnectionTo(logger, display);
            var local = socket.LocalEndPoint is IPEndPoint ip ? ip.Address.ToString() : "";
            return new SmtpClientConnection(stream, local, options, time, logger, socket, display, target.Host);
        }
        catch (SmtpConnectException)
        {
            socket?.Dispose();
            throw;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException or FormatException && !cancellationToken.IsCancellationRequested)
        {
            socket?.Dispose();
            throw new SmtpConnectException("cannot connect to " + display, ex);
        }
    }

    /// <summary>
    /// A routed target's TLS requirement (README "Outbound: routing") over the command line's: <c>smtps://</c> starts
    /// in TLS, <c>smtp+starttls://</c> requires STARTTLS; the client TLS settings are <c>--client-tls*</c>'s if given,
    /// else the defaults (no client certificate, no verification, as <c>--client-tls</c> alone).
    /// </summary>
    private static SmtpClientOptions WithRouteTls(ForwardTarget target, SmtpClientOptions options, TimeProvider time)
    {
        if (target.Tls == Protocol.Routing.RouteTls.Default)
        {
            return options;
        }

        var policy = target.Tls == Protocol.Routing.RouteTls.Implicit
            ? options.Policy with { ImplicitTls = true, StartTls = false }
            : options.Policy with { ImplicitTls = false, StartTls = true, TlsRequired = true };
        return options with { Policy = policy, Tls = options.Tls ?? new TlsClient(new TlsClientSettings(), options.ConnectionTimeout, time) };
    }

    /// <summary>Runs the SMTPS handshake if configured, waits for the greeting (or the prompt timeout) and sends EHLO (or HELO), then STARTTLS and EHLO again if configured.</summary>
    /// <param name="cancellationToken">Shutdown.</param>
    /// <returns>Null when the session is ready, otherwise the failure for the message in hand.</returns>
    public async Task<SendOutcome?> OpenAsync(CancellationToken cancellationToken)
    {
        ClientStep step;
        try
        {
            if (_options.Policy.ImplicitTls)
            {
                await StartTlsAsync(cancellationToken);
            }

            SmtpReply? greeting;
            try
            {
                greeting = await ReadReplyAsync(_options.PromptTimeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                Log.NoGreeting(_logger, (long)_options.PromptTimeout.TotalSeconds);
                greeting = null;
                step = _session.OnGreeting(null);
                return await RunAsync(step, null, cancellationToken);
            }

            step = greeting is null ? _session.OnProtocolError() : _session.OnGreeting(greeting);
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or SocketException or AuthenticationException)
        {
            step = Lost(ex);
        }

        return await RunAsync(step, null, cancellationToken);
    }

    /// <summary>Sends one message; only when <see cref="IsUsable"/>.</summary>
    /// <param name="message">The envelope facts.</param>
    /// <param name="openContent">Opens the content (called once, when the body is due).</param>
    /// <param name="cancellationToken">Shutdown.</param>
    /// <returns>The outcome; after a broken session <see cref="IsUsable"/> is false.</returns>
    public async Task<SendOutcome> SendAsync(OutgoingMessage message, Func<Stream> openContent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!_secretsGiven && _session.IsReady)
        {
            if (_options.Secrets is { } lookup)
            {
                var secrets = lookup.FindClientSecrets(message.AccountSelector);
                if (secrets is null)
                {
                    return SendOutcome.Failed(message.Recipients, InvalidSelector + ": [" + message.AccountSelector + "]", 0);
                }

                _session.UseSecrets(await ClientTokens.ResolveAsync(secrets, _options.Tokens, this, cancellationToken));
            }

            _secretsGiven = true;
        }

        _transactionReplies = 0;
        _firstReplyCode = 0;
        _closedByPeer = false;
        var step = _session.Send(message);
        if (_session.EightBitWarningDue)
        {
            Log.EightBitWarning(_logger);
        }

        return (await RunAsync(step, openContent, cancellationToken))!;
    }

    /// <summary>Sends QUIT (best effort) and shuts the socket down.</summary>
    /// <param name="cancellationToken">Shutdown.</param>
    /// <returns>A task.</returns>
    public async Task QuitAsync(CancellationToken cancellationToken)
    {
        if (IsUsable)
        {
            try
            {
                await RunAsync(_session.Quit(), null, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or TimeoutException or SocketException)
            {
                // The message is already delivered; a failing QUIT changes nothing.
            }
        }

        _broken = true;
        try
        {
            _socket?.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed: a failed TLS handshake disposes the socket with its stream.
        }
    }

    /// <summary>Closes the connection.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        _broken = true;
        _deadline?.Dispose();
        await _transport.DisposeAsync();
    }

    private static async Task SocksConnectAsync(NetworkStream stream, ForwardTarget target, string display, CancellationToken cancellationToken)
    {
        byte[] request;
        try
        {
            request = Socks4aCodec.EncodeConnect(target.Host, target.Port);
        }
        catch (ArgumentException ex)
        {
            throw new SmtpConnectException("cannot connect to " + display + ": " + ex.Message, ex);
        }

        await stream.WriteAsync(request, cancellationToken);
        var reply = new byte[Socks4aCodec.ReplyLength];
        try
        {
            await stream.ReadExactlyAsync(reply, cancellationToken);
        }
        catch (EndOfStreamException ex)
        {
            throw new SmtpConnectException("cannot connect to " + display + ": socks connection closed", ex);
        }

        if (!Socks4aCodec.TryDecodeReply(reply, out var error))
        {
            throw new SmtpConnectException("cannot connect to " + display + ": " + error);
        }
    }

    private async Task StartTlsAsync(CancellationToken cancellationToken)
    {
        var tls = _options.Tls ?? throw new InvalidOperationException("client tls is not configured");
        if (_transport.Reader.TryRead(out var buffered))
        {
            // Differences 8: nothing the server sent before the handshake is carried into the TLS session.
            if (!buffered.Buffer.IsEmpty)
            {
                Log.DiscardedBeforeTls(_logger, buffered.Buffer.Length);
            }

            _transport.Reader.AdvanceTo(buffered.Buffer.End);
        }

        TlsClientResult? result = null;
        await _transport.UpgradeAsync(
            async (stream, ct) =>
            {
                try
                {
                    result = await tls.AuthenticateAsync(stream, _tlsHost, ct);
                }
                catch (TlsVerificationException ex)
                {
                    Log.TlsPeer(_logger, ex.Subject, tls.RequiredPeerName ?? "", 0);
                    throw;
                }

                return result.Stream;
            },
            cancellationToken);
        if (tls.Verifies)
        {
            Log.TlsPeer(_logger, result!.PeerSubject, tls.RequiredPeerName ?? "", result.Verified ? 1 : 0);
        }

        Log.TlsEstablished(_logger, _peer, TlsServer.ProtocolName(result!.Stream), TlsServer.CipherName(result.Stream));
        Events?.Connection(EmailRelay.Events.RelayEventKind.TlsEstablished, EmailRelay.Events.RelayService.Forwarder, 0, TlsServer.ProtocolName(result.Stream));
    }

    private static async Task<IPAddress> ResolveAsync(string host, AddressFamily? family, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return literal;
        }

        IPAddress[] addresses;
        try
        {
            addresses = await System.Net.Dns.GetHostAddressesAsync(host, family ?? AddressFamily.Unspecified, cancellationToken);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain)
        {
            throw NoSuchHost(host, ex);
        }

        return addresses.Length > 0 ? addresses[0] : throw NoSuchHost(host, null);
    }

    // E-MailRelay's wording: dns error: no such host: "dummy.example" (name or service not known).
    private static SmtpConnectException NoSuchHost(string host, SocketException? ex)
    {
        var why = ex?.SocketErrorCode == SocketError.TryAgain ? "temporary failure in name resolution" : "name or service not known";
        var text = "dns error: no such host: \"" + host + "\" (" + why + ")";
        return ex is null ? new SmtpConnectException(text) : new SmtpConnectException(text, ex);
    }

    private ClientStep Lost(Exception ex)
    {
        _closedByPeer = ex is IOException or SocketException;
        var text = ex is TimeoutException { Message: "tls handshake timeout" } ? "tls error: " + ex.Message
            : ex is TimeoutException
            ? "response timeout after " + ((long)_options.ResponseTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"
            : ex is AuthenticationException ? "tls error: " + ex.Message
            : ex.Message;
        return _session.OnConnectionLost(text);
    }

    private async Task<SendOutcome?> RunAsync(ClientStep step, Func<Stream>? openContent, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                switch (step.Kind)
                {
                    case ClientStepKind.Send:
                        TraceCommands(step.LogText ?? step.Commands);
                        WriteAscii(step.Commands);
                        await FlushAsync(cancellationToken);
                        step = await NextAsync(cancellationToken);
                        break;
                    case ClientStepKind.Read:
                        step = await NextAsync(cancellationToken);
                        break;
                    case ClientStepKind.SendData:
                        await WriteDataAsync(openContent!, cancellationToken);
                        step = await NextAsync(cancellationToken);
                        break;
                    case ClientStepKind.SendChunks:
                        step = await WriteChunksAsync(openContent!, cancellationToken);
                        break;
                    case ClientStepKind.StartTls:
                        await StartTlsAsync(cancellationToken);
                        step = _session.OnTlsEstablished();
                        break;
                    case ClientStepKind.Ready:
                        return step.Outcome;
                    default:
                        if (step.IsBroken)
                        {
                            _broken = true;
                            Log.ClientError(_logger, step.Error!);
                        }

                        return step.Outcome;
                }
            }
            catch (Exception ex) when (ex is IOException or TimeoutException or SocketException or AuthenticationException)
            {
                step = Lost(ex);
            }
        }
    }

    private async Task<ClientStep> NextAsync(CancellationToken cancellationToken)
    {
        var reply = await ReadReplyAsync(_options.ResponseTimeout, cancellationToken);
        if (_transactionReplies++ == 0)
        {
            _firstReplyCode = reply?.Code ?? 0;
        }

        return reply is { } r ? _session.OnReply(r) : _session.OnProtocolError();
    }

    private async Task WriteDataAsync(Func<Stream> openContent, CancellationToken cancellationToken)
    {
        Log.Sent(_logger, "[message content not logged]");
        var encoder = new SmtpDataEncoder();
        var buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            await using var content = openContent();
            int n;
            while ((n = await content.ReadAsync(buffer.AsMemory(0, ReadSize), cancellationToken)) > 0)
            {
                encoder.Encode(buffer.AsSpan(0, n), _output);
                if (_output.WrittenCount >= WriteThreshold)
                {
                    await FlushAsync(cancellationToken);
                }
            }

            encoder.Complete(_output);
            Log.Sent(_logger, ".");
            await FlushAsync(cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<ClientStep> WriteChunksAsync(Func<Stream> openContent, CancellationToken cancellationToken)
    {
        var size = _options.Policy.ChunkSize;
        var buffer = ArrayPool<byte>.Shared.Rent(size + 1);
        try
        {
            await using var content = openContent();
            var held = await FillAsync(content, buffer.AsMemory(0, size + 1), cancellationToken);
            while (true)
            {
                var last = held <= size;
                var count = Math.Min(held, size);
                var command = "BDAT " + count.ToString(CultureInfo.InvariantCulture) + (last ? " LAST" : "");
                Log.Sent(_logger, command);
                WriteAscii(command + "\r\n");
                _output.Write(buffer.AsSpan(0, count));
                await FlushAsync(cancellationToken);
                var reply = await ReadReplyAsync(_options.ResponseTimeout, cancellationToken);
                var step = reply is { } r ? _session.OnChunkReply(r, last) : _session.OnProtocolError();
                if (step.Kind != ClientStepKind.SendChunks || last)
                {
                    return step;
                }

                buffer[0] = buffer[size];
                held = 1 + await FillAsync(content, buffer.AsMemory(1, size), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<int> FillAsync(Stream content, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        int n;
        while (total < buffer.Length && (n = await content.ReadAsync(buffer[total..], cancellationToken)) > 0)
        {
            total += n;
        }

        return total;
    }

    private void TraceCommands(string commands)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            foreach (var line in commands.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
            {
                Log.Sent(_logger, line);
            }
        }
    }

    private void WriteAscii(string text)
    {
        var span = _output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        _output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_output.WrittenCount == 0)
        {
            return;
        }

        var deadline = ArmDeadline(_options.ResponseTimeout);
        using var registration = LinkDeadline(cancellationToken);
        try
        {
            await _transport.Stream.WriteAsync(_output.WrittenMemory, deadline);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException("write timeout");
        }

        _output.ResetWrittenCount();
    }

    /// <summary>
    /// The connection's one timeout source, reset and re-armed for each write and reply read (no timer or
    /// source per operation); a source that has fired is replaced.
    /// </summary>
    private CancellationToken ArmDeadline(TimeSpan timeout)
    {
        if (_deadline is null || !_deadline.TryReset())
        {
            _deadline?.Dispose();
            _deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        }

        _deadline.CancelAfter(timeout);
        return _deadline.Token;
    }

    /// <summary>Makes <paramref name="cancellationToken"/> cancel the armed deadline too, until the registration is disposed.</summary>
    private CancellationTokenRegistration LinkDeadline(CancellationToken cancellationToken) =>
        cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _deadline);

    /// <summary>Waits for <paramref name="read"/> within <paramref name="timeout"/>: <see cref="TimeoutException"/> when it passes; the read itself is not cancelled.</summary>
    private async Task<ReadResult> WaitWithDeadlineAsync(Task<ReadResult> read, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = ArmDeadline(timeout);
        using var registration = LinkDeadline(cancellationToken);
        try
        {
            return await read.WaitAsync(deadline);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException();
        }
    }

    /// <summary>Reads one reply; null for a malformed one. Throws <see cref="TimeoutException"/> or <see cref="IOException"/>.</summary>
    private async Task<SmtpReply?> ReadReplyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        while (true)
        {
            // One outstanding read survives a timeout, so a prompt timeout never cancels the socket read.
            _pendingRead ??= _transport.Reader.ReadAsync(CancellationToken.None).AsTask();
            var result = timeout == Timeout.InfiniteTimeSpan || _pendingRead.IsCompleted
                ? await _pendingRead.WaitAsync(cancellationToken)
                : await WaitWithDeadlineAsync(_pendingRead, timeout, cancellationToken);
            _pendingRead = null;
            var buffer = result.Buffer;
            while (true)
            {
                var status = LineFramer.TryReadLine(buffer, SmtpReplyReader.MaxLineLength, out var line, out var next);
                if (status == LineStatus.Incomplete)
                {
                    break;
                }

                if (status == LineStatus.TooLong)
                {
                    _transport.Reader.AdvanceTo(next);
                    return null;
                }

                var text = Encoding.UTF8.GetString(line);
                buffer = buffer.Slice(next);
                Log.Received(_logger, text);
                var added = _replies.Add(text, out var reply);
                if (added == ReplyLineResult.Complete)
                {
                    _transport.Reader.AdvanceTo(buffer.Start);
                    return reply;
                }

                if (added == ReplyLineResult.Invalid)
                {
                    _transport.Reader.AdvanceTo(buffer.Start);
                    return null;
                }
            }

            _transport.Reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new IOException("connection closed by the remote server");
            }
        }
    }
}
