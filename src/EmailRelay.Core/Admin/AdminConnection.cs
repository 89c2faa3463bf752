using System.Buffers;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using EmailRelay.Net;
using EmailRelay.Protocol.Admin;
using EmailRelay.Protocol.Text;
using EmailRelay.Spool;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Admin;

/// <summary>
/// The admin protocol of one connection, run by the <see cref="ServerConnection"/> skeleton: frames lines with
/// <see cref="LineFramer"/> (LF, with the CR given back for the session's line-ending detection), runs
/// <see cref="AdminSession"/>, acts through <see cref="IRelayControl"/>, and writes replies and <c>notify</c> events
/// through one ordered output queue (events arrive on other threads). There is no idle timeout (reference §h); the
/// connection ends on <c>quit</c>, too many errors, end of input, an overlong line, a drain, or shutdown.
/// </summary>
internal sealed class AdminConnection : IServerProtocol
{
    private readonly ServerConnection _connection;
    private readonly IRelayControl _control;
    private readonly AdminSession _session;
    private readonly ILogger _logger;
    private readonly string _peer;
    private readonly int _maxLineLength;
    private readonly Channel<string> _output = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private Task _writer = Task.CompletedTask;
    private IDisposable? _subscription;

    /// <summary>
    /// Creates the driver over a connected stream, which it disposes when done; <c>peer</c> is for <c>received a
    /// terminate command from ...</c>; a line longer than <paramref name="maxLineLength"/>
    /// (<see cref="RelayLimits.AdminMaxLineLength"/>) closes the connection.
    /// </summary>
    public AdminConnection(Stream stream, IRelayControl control, bool allowTerminate, ILogger logger, string peer = "", int? maxLineLength = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(logger);
        _peer = peer;
        _maxLineLength = maxLineLength ?? RelayLimits.Default.AdminMaxLineLength;
        _connection = new ServerConnection(stream, RelayLimits.Default with { IdleTimeout = Timeout.InfiniteTimeSpan }, time ?? TimeProvider.System);
        _control = control;
        _logger = logger;
        _session = new AdminSession(allowTerminate);
    }

    /// <inheritdoc />
    public bool IsReceivingContent => false;

    /// <summary>Runs until the session ends, <paramref name="draining"/> fires, or <paramref name="cancellationToken"/> fires.</summary>
    public Task RunAsync(CancellationToken cancellationToken, CancellationToken draining = default) =>
        _connection.RunAsync(this, null, cancellationToken, draining);

    /// <inheritdoc />
    public ValueTask<bool> StartAsync(CancellationToken cancellationToken)
    {
        _writer = WriteLoopAsync(_connection.Transport.Stream);
        return ValueTask.FromResult(false);
    }

    /// <inheritdoc />
    public async ValueTask<ProtocolProgress> ProcessAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        LineStatus status;
        while ((status = TryTakeLine(ref buffer, out var line)) == LineStatus.Line)
        {
            var step = _session.Handle(line);
            var shown = line.TrimEnd('\r');
            Log.Command(_logger, shown);
            if (step.Output.Length > 0)
            {
                Send(step.Output);
            }

            if (step.Command.Kind == AdminCommandKind.Notify && _subscription is null)
            {
                _subscription = _control.Subscribe(parts => Send(_session.FormatEvent(parts)));
            }

            var close = step.NeedsRelay && !await TryActAsync(step.Command, cancellationToken);
            if (!close && step.Close && step.Command.Kind == AdminCommandKind.Unrecognised)
            {
                Log.TooManyErrors(_logger);
            }

            if (close || step.Close)
            {
                return new(buffer.Start, ProtocolNext.Close);
            }
        }

        return new(buffer.Start, status == LineStatus.TooLong ? ProtocolNext.Close : ProtocolNext.Read);
    }

    /// <inheritdoc />
    public ValueTask<bool> TlsEstablishedAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);

    /// <inheritdoc />
    public string TlsInjected() => "no tls on the admin interface";

    /// <inheritdoc />
    public void WriteFinal(ConnectionEnd end)
    {
        // The admin protocol has no final reply.
    }

    /// <inheritdoc />
    public (string Reason, bool SendFinal) Failed(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Log.CommandFailed(_logger, exception.Message);
        return (exception.Message, false);
    }

    /// <inheritdoc />
    public async ValueTask EndingAsync(CancellationToken cancellationToken)
    {
        // Everything queued is written before the connection closes (the reply to quit or terminate), unless the
        // peer does not read it within the close limit.
        _subscription?.Dispose();
        _subscription = null;
        _output.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // the peer went away or shutdown
        }
    }

    /// <inheritdoc />
    public async ValueTask ClosedAsync(string reason)
    {
        try
        {
            await _writer;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // the stream was closed under a write the peer did not read
        }
    }

    // One line through the bounded LineFramer, with its CR given back (the session detects the client's line ending).
    // The limit counts content only, so a bare-LF line of limit + 1 octets (which fits the framer's limit + 2) is too long.
    private LineStatus TryTakeLine(ref ReadOnlySequence<byte> buffer, out string line)
    {
        var status = LineFramer.TryReadLine(buffer, _maxLineLength + 2, out var framed, out var next);
        line = "";
        if (status == LineStatus.Line && framed.Length > _maxLineLength)
        {
            return LineStatus.TooLong;
        }

        if (status == LineStatus.Line)
        {
            var crlf = buffer.Slice(framed.End, next).Length == 2;
            line = Encoding.Latin1.GetString(framed) + (crlf ? "\r" : "");
            buffer = buffer.Slice(next);
        }

        return status;
    }

    // A failing operation (e.g. an unreadable envelope during flush) is an error reply, not the end of the connection.
    private async Task<bool> TryActAsync(Protocol.Admin.AdminCommand command, CancellationToken cancellationToken)
    {
        try
        {
            return await ActAsync(command, cancellationToken);
        }
        catch (Exception ex) when (ex is SpoolException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Log.CommandFailed(_logger, ex.Message);
            Send(_session.Reply("error: " + AdminErrorText.For(ex)));
            return true;
        }
    }

    // Returns false when the connection should end (terminate).
    private async Task<bool> ActAsync(Protocol.Admin.AdminCommand command, CancellationToken cancellationToken)
    {
        switch (command.Kind)
        {
            case AdminCommandKind.Forward:
                // Reference §h: "OK", then a run starts; the reply is queued first so that it precedes the run's
                // notify events on this connection.
                var unavailable = _control.ForwardingUnavailable;
                Send(Reply(unavailable));
                if (unavailable is null)
                {
                    _control.RequestForward("admin");
                }

                break;
            case AdminCommandKind.Flush:
                Send(Reply(await _control.FlushAsync(cancellationToken)));
                break;
            case AdminCommandKind.List:
                Send(_session.Reply(await IdsAsync(SpoolView.Ready, cancellationToken)));
                break;
            case AdminCommandKind.Failures:
                Send(_session.Reply(await IdsAsync(SpoolView.Failed, cancellationToken)));
                break;
            case AdminCommandKind.UnfailAll:
                await _control.UnfailAllAsync(cancellationToken);
                Send(_session.Reply([]));
                break;
            case AdminCommandKind.Pid:
                Send(_session.Reply(_control.ProcessId.ToString(CultureInfo.InvariantCulture)));
                break;
            case AdminCommandKind.Status:
                Send(_session.Reply(_control.StatusLines()));
                break;
            case AdminCommandKind.SmtpDisable or AdminCommandKind.SmtpEnable:
                _control.SetSmtpEnabled(command.Kind == AdminCommandKind.SmtpEnable);
                Send(_session.Reply("OK"));
                break;
            case AdminCommandKind.DnsblStop:
                _control.StopDnsbl(command.Seconds > 0 ? TimeSpan.FromSeconds(command.Seconds) : null);
                Send(_session.Reply("OK"));
                break;
            case AdminCommandKind.DnsblStart:
                _control.StartDnsbl();
                Send(_session.Reply("OK"));
                break;
            case AdminCommandKind.Terminate:
                Log.TerminateRequest(_logger, _peer);
                _control.Terminate();
                return false;
        }

        return true;
    }

    private string Reply(string? error) => _session.Reply(error is null ? "OK" : "error: " + error);

    private async Task<List<string>> IdsAsync(SpoolView view, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        await foreach (var id in _control.ListAsync(view, cancellationToken))
        {
            ids.Add(id.ToString());
        }

        return ids.Count == 0 ? ["<none>"] : ids;
    }

    private void Send(string text) => _output.Writer.TryWrite(text);

    private async Task WriteLoopAsync(Stream stream)
    {
        await foreach (var text in _output.Reader.ReadAllAsync())
        {
            var bytes = Encoding.Latin1.GetBytes(text);
            await stream.WriteAsync(bytes);
            await stream.FlushAsync();
        }
    }
}
