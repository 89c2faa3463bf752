using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Threading.Channels;
using EmailRelay.Protocol.Admin;
using EmailRelay.Protocol.Text;
using EmailRelay.Spool;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Admin;

/// <summary>
/// The driver of one admin connection: frames lines (LF, with the CR kept for the session's line-ending
/// detection), runs <see cref="AdminSession"/>, acts through <see cref="IRelayControl"/>, and writes replies and
/// <c>notify</c> events through one ordered output queue. There is no idle timeout (reference §h); the connection
/// ends on <c>quit</c>, too many errors, end of input, an overlong line, or shutdown.
/// </summary>
internal sealed class AdminConnection
{
    private readonly Stream _stream;
    private readonly IRelayControl _control;
    private readonly AdminSession _session;
    private readonly ILogger _logger;
    private readonly string _peer;
    private readonly int _maxLineLength;
    private readonly Channel<string> _output = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>
    /// Creates the driver over a connected stream (not owned); <c>peer</c> is for <c>received a terminate command
    /// from ...</c>; a line longer than <paramref name="maxLineLength"/> (<see cref="Net.RelayLimits.AdminMaxLineLength"/>) closes the connection.
    /// </summary>
    public AdminConnection(Stream stream, IRelayControl control, bool allowTerminate, ILogger logger, string peer = "", int? maxLineLength = null)
    {
        _peer = peer;
        _maxLineLength = maxLineLength ?? Net.RelayLimits.Default.AdminMaxLineLength;
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(logger);
        _stream = stream;
        _control = control;
        _logger = logger;
        _session = new AdminSession(allowTerminate);
    }

    /// <summary>Runs until the session ends or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = WriteLoopAsync(stop.Token);
        IDisposable? subscription = null;
        try
        {
            var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
            try
            {
                subscription = await ReadLoopAsync(reader, stop.Token);
            }
            finally
            {
                await reader.CompleteAsync();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // shutdown
        }
        catch (IOException)
        {
            // the peer went away
        }
        finally
        {
            subscription?.Dispose();
            _output.Writer.TryComplete();
        }

        try
        {
            await writer;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // the peer went away or shutdown
        }
    }

    private async Task<IDisposable?> ReadLoopAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        IDisposable? subscription = null;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            try
            {
                LineStatus status;
                while ((status = TryTakeLine(ref buffer, out var line)) == LineStatus.Line)
                {
                    consumed = buffer.Start;
                    var step = _session.Handle(line);
                    var shown = line.TrimEnd('\r');
                    Log.Command(_logger, shown);
                    if (step.Output.Length > 0)
                    {
                        Send(step.Output);
                    }

                    if (step.Command.Kind == AdminCommandKind.Notify && subscription is null)
                    {
                        subscription = _control.Subscribe(parts => Send(_session.FormatEvent(parts)));
                    }

                    if (step.NeedsRelay && !await TryActAsync(step.Command, cancellationToken))
                    {
                        return subscription;
                    }

                    if (step.Close)
                    {
                        if (step.Command.Kind == AdminCommandKind.Unrecognised)
                        {
                            Log.TooManyErrors(_logger);
                        }

                        return subscription;
                    }
                }

                consumed = buffer.Start;
                if (status == LineStatus.TooLong || result.IsCompleted)
                {
                    return subscription;
                }
            }
            finally
            {
                reader.AdvanceTo(consumed, buffer.End);
            }
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

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        await foreach (var text in _output.Reader.ReadAllAsync(cancellationToken))
        {
            var bytes = Encoding.Latin1.GetBytes(text);
            await _stream.WriteAsync(bytes, cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
    }
}
