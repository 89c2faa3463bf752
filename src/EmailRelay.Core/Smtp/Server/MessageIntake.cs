using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Smtp;
using EmailRelay.Protocol.Smtp.Server;
using EmailRelay.Spool;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Smtp.Server;

/// <summary>
/// Ends a store-and-forward message at the end of data (reference §b "How a message is added",
/// steps 3–5, and §c server-side exit table): prepare the envelope, run the server filter, then
/// commit or not. The caller disposes the message afterwards, which removes it unless committed.
/// Never throws for spool failures: they become <c>452</c> (disk full, nothing acknowledged) or
/// <c>451 transaction failed</c>, never a 5xx.
/// </summary>
internal sealed class MessageIntake : IAsyncDisposable
{
    private readonly IMessageFilter? _filter;
    private readonly ILogger _logger;
    private readonly Action? _forwardingRequested;

    /// <summary>Creates the intake.</summary>
    public MessageIntake(IMessageFilter? filter, ILogger logger, Action? forwardingRequested)
    {
        _filter = filter;
        _logger = logger;
        _forwardingRequested = forwardingRequested;
    }

    private Client.Forwarder.ImmediateSession? _immediate;

    /// <summary><c>--immediate</c>: forwards the committed messages before the reply (see <see cref="SmtpServerServices.OpenImmediateSession"/>).</summary>
    public Func<Client.Forwarder.ImmediateSession>? OpenImmediateSession { get; init; }

    /// <summary>Ends the <c>--immediate</c> forwarding of the session, closing its upstream connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_immediate is { } immediate)
        {
            _immediate = null;
            await immediate.DisposeAsync();
        }
    }

    /// <summary>Where filter runs are reported.</summary>
    public EmailRelay.Events.RelayEvents? Events { get; init; }

    /// <summary>Prepares, filters and commits <paramref name="message"/>; the result is the session's answer.</summary>
    public async Task<OperationResult> CommitAsync(INewMessage message, Envelope envelope, CancellationToken cancellationToken)
    {
        try
        {
            await message.PrepareAsync(envelope, cancellationToken);
            var result = await RunFilterAsync(message, cancellationToken);
            if (result.Special)
            {
                Log.ForwardingRescan(_logger);
                _forwardingRequested?.Invoke();
            }

            switch (result.Outcome)
            {
                case FilterOutcome.Ok when OpenImmediateSession is { } open:
                    // Reference §i --immediate: stored and filtered as normal, then forwarded; the upstream result is the reply.
                    if (!await message.CommitAsync(cancellationToken))
                    {
                        return OperationResult.Failure(LostFiles(message));
                    }

                    _immediate ??= open();
                    return await _immediate.ForwardAsync(message.Id, cancellationToken) is { } failure ? OperationResult.Failure(failure) : OperationResult.Success;
                case FilterOutcome.Ok:
                    return await message.CommitAsync(cancellationToken) ? OperationResult.Success : OperationResult.Failure(LostFiles(message));
                case FilterOutcome.Abandon:
                    await TryCommitAbandonedAsync(message, cancellationToken);
                    return OperationResult.Success;
                default:
                    Log.RejectedByFilter(_logger, result.Reason.Length > 0 ? result.Reason : result.Response);
                    var code = result.ResponseCode is >= 400 and <= 599 ? result.ResponseCode : 452;
                    return OperationResult.Failure(SmtpReply.Create(code, result.Response.Length > 0 ? result.Response : "rejected"));
            }
        }
        catch (SpoolException e)
        {
            Log.SpoolError(_logger, e.Message, e);
            return OperationResult.Failure(e.IsDiskFull ? SmtpServerReplies.DiskFull : SmtpServerReplies.TransactionFailed);
        }
    }

    // The commit found no envelope to rename. With a filter, it took the files away but said ok: E-MailRelay logs
    // "filter exception: message store error: cannot rename envelope file ..." and answers "452 rejected", and so do
    // we (the session goes on). Without one, the spool lost them: a local error.
    private SmtpReply LostFiles(INewMessage message)
    {
        if (_filter is null)
        {
            return SmtpServerReplies.TransactionFailed;
        }

        var envelope = (message as ISpoolFiles)?.EnvelopePath ?? message.Id.Value + ".envelope.new";
        Log.FilterException(_logger, "cannot rename envelope file \"" + envelope + "\": no such file or directory");
        return SmtpReply.Create(452, "rejected");
    }

    private async Task<FilterResult> RunFilterAsync(INewMessage message, CancellationToken cancellationToken)
    {
        if (_filter is null)
        {
            return FilterResult.Ok;
        }

        var context = new FilterContext(message.AsFilterMessage(), IsServerSide: true);
        var started = Events is { IsEnabled: true } ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
        var result = await _filter.RunAsync(context, cancellationToken);
        Events?.FilterRun(EmailRelay.Events.RelayService.Smtp, message.Id, FilterResultName(result.Outcome), started == 0 ? TimeSpan.Zero : System.Diagnostics.Stopwatch.GetElapsedTime(started));
        Log.FilterResult(_logger, _filter.Name, message.Id.Value, result.Outcome switch
        {
            FilterOutcome.Ok => "ok",
            FilterOutcome.Abandon => "ok(abandon)",
            _ => "failed",
        } + (result.Special ? " +rescan" : ""), result.Response, result.Reason);
        return result;
    }

    /// <summary>The <see cref="EmailRelay.Events.RelayEventKind.FilterRun"/> result text.</summary>
    internal static string FilterResultName(FilterOutcome outcome) => outcome switch
    {
        FilterOutcome.Ok => "ok",
        FilterOutcome.Abandon => "abandon",
        _ => "fail",
    };

    // Reference §b step 5: abandon tries the commit but ignores errors (the filter may have deleted the files).
    private async Task TryCommitAbandonedAsync(INewMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await message.CommitAsync(cancellationToken);
        }
        catch (SpoolException e)
        {
            Log.SpoolError(_logger, e.Message, e);
        }
    }
}
