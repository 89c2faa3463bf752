using System.Threading.Channels;
using EmailRelay.Diagnostics;
using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Smtp.Client;
using EmailRelay.Spool;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Smtp.Client;

/// <summary>
/// Forwarding runs (reference §i, §c "Routing pass", §h "Forwarding triggers"; differences 5 and 13): walks the
/// ready messages in lexical order, locks each, runs the client (or routing) filter, sends it over a connection
/// reused while the address and account selector stay the same, then deletes, fails or defers it. One run at a
/// time; a request during a run queues one more.
/// </summary>
internal sealed class Forwarder
{
    private readonly IMessageSpool _spool;
    private readonly IMessageFilter? _filter;
    private readonly ForwardingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<ForwardTarget, CancellationToken, Task<SmtpClientConnection>> _connect;
    private readonly Channel<string> _requests = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private int _running;

    /// <summary>Creates a forwarder.</summary>
    /// <param name="spool">The spool.</param>
    /// <param name="filter">The client filter, or null.</param>
    /// <param name="options">The settings.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="connect">Opens a connection (tests pass an in-memory one); null for real sockets.</param>
    public Forwarder(IMessageSpool spool, IMessageFilter? filter, ForwardingOptions options, TimeProvider time, ILogger logger,
        Func<ForwardTarget, CancellationToken, Task<SmtpClientConnection>>? connect = null)
    {
        ArgumentNullException.ThrowIfNull(spool);
        ArgumentNullException.ThrowIfNull(options);
        _spool = spool;
        _filter = filter;
        _options = options;
        _time = time;
        _logger = logger;
        _connect = connect ?? ((target, ct) => SmtpClientConnection.ConnectAsync(target, options.Client, time, logger, ct));
    }

    /// <summary>The settings.</summary>
    public ForwardingOptions Options => _options;

    /// <summary>Asks for a run (a trigger); queued if a run is in progress, dropped if one is already queued.</summary>
    /// <param name="reason">The trigger, for the log: <c>poll</c>, <c>client disconnect</c>, <c>rescan</c>, <c>forward</c>.</param>
    public void Request(string reason)
    {
        if (Volatile.Read(ref _running) != 0)
        {
            Log.StillBusy(_logger, reason);
        }

        _requests.Writer.TryWrite(reason);
    }

    /// <summary>Serves run requests and the poll timer until <paramref name="cancellationToken"/>.</summary>
    /// <param name="cancellationToken">Shutdown.</param>
    /// <returns>A task that ends at shutdown.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var poll = _options.Poll is { } period ? PollAsync(period, cancellationToken) : Task.CompletedTask;
        try
        {
            await foreach (var reason in _requests.Reader.ReadAllAsync(cancellationToken))
            {
                Log.Forwarding(_logger, reason);
                try
                {
                    await RunOnceAsync(cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.RunFailed(_logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        await poll;
    }

    /// <summary>One run over the spool.</summary>
    /// <param name="cancellationToken">Shutdown.</param>
    /// <returns>What the run did.</returns>
    public async Task<ForwardRunResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _running, 1);
        try
        {
            var run = new Run(this);
            try
            {
                return await run.ExecuteAsync(cancellationToken);
            }
            finally
            {
                await run.CloseAsync(cancellationToken);
            }
        }
        finally
        {
            Interlocked.Exchange(ref _running, 0);
        }
    }

    private async Task PollAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Request("poll");
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The state of one run: the open connection and the unreachable routed addresses.</summary>
    private sealed class Run(Forwarder owner)
    {
        private readonly HashSet<string> _unreachable = new(StringComparer.OrdinalIgnoreCase);
        private SmtpClientConnection? _connection;
        private string? _connectionKey;
        private int _sent;

        public async Task<ForwardRunResult> ExecuteAsync(CancellationToken cancellationToken)
        {
            var ids = new List<MessageId>();
            await foreach (var id in owner._spool.ListAsync(SpoolView.Ready, cancellationToken))
            {
                ids.Add(id);
            }

            ids.Sort((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
            foreach (var id in ids)
            {
                var message = await owner._spool.TryLockAsync(id, cancellationToken);
                if (message is null)
                {
                    continue;
                }

                await using (message)
                {
                    using var scope = owner._logger.BeginScope(new MessageLogScope(id));
                    var (stop, connectError) = await ForwardAsync(message, cancellationToken);
                    if (connectError is not null)
                    {
                        return new ForwardRunResult(ids.Count, _sent, connectError);
                    }

                    if (stop)
                    {
                        break;
                    }
                }
            }

            Log.NoMoreMessages(owner._logger);
            return new ForwardRunResult(ids.Count, _sent, null);
        }

        public async Task CloseAsync(CancellationToken cancellationToken)
        {
            if (_connection is { } connection)
            {
                _connection = null;
                await connection.QuitAsync(cancellationToken);
                await connection.DisposeAsync();
            }
        }

        /// <summary>Handles one locked message; returns whether to stop the run and a connect error that aborts it.</summary>
        private async Task<(bool Stop, string? ConnectError)> ForwardAsync(IStoredMessage message, CancellationToken cancellationToken)
        {
            var options = owner._options;
            var id = message.Id.ToString();
            if (message is ISpoolFiles files
                && !RetrySchedule.IsDue(message.Envelope, File.GetLastWriteTimeUtc(files.EnvelopePath), owner._time.GetUtcNow(), options.RetryBase))
            {
                return (false, null);
            }

            Log.ForwardingMessage(owner._logger, id);
            if (message.Envelope.ToRemote.Count == 0)
            {
                await FailAsync(message, "no remote recipients", 0, cancellationToken);
                return (false, null);
            }

            var routed = message.Envelope.ForwardTo.Length > 0;
            var stop = false;
            if (owner._filter is { } filter)
            {
                var result = await RunFilterAsync(filter, message, routed ? "routing-filter" : "client-filter", cancellationToken);
                stop = result.Special; // client side: 102, 104 and 105 stop scanning
                switch (result.Outcome)
                {
                    case FilterOutcome.Abandon:
                        return (stop, null);
                    case FilterOutcome.Fail when routed:
                        await FailAsync(message, "routing filter failed: " + result.Response + ": " + result.Reason, 0, cancellationToken);
                        return (stop, null);
                    case FilterOutcome.Fail:
                        await FailAsync(message, result.Reason.Length > 0 ? result.Reason : result.Response, 550, cancellationToken);
                        return (stop, null);
                }

                await message.ReloadEnvelopeAsync(cancellationToken);
            }

            var envelope = message.Envelope;
            ForwardTarget? target = options.Client.Target;
            if (envelope.ForwardToAddress.Length > 0)
            {
                if (!ForwardTarget.TryParse(envelope.ForwardToAddress, out var routedTarget))
                {
                    await FailAsync(message, "invalid forward-to address: " + envelope.ForwardToAddress, 0, cancellationToken);
                    return (stop, null);
                }

                target = routedTarget;
            }

            if (target is null)
            {
                await FailAsync(message, "no forward-to address", 0, cancellationToken);
                return (stop, null);
            }

            var address = target.ToString();
            if (_unreachable.Contains(address))
            {
                return (stop, null);
            }

            var key = address + "\n" + envelope.ClientAccountSelector;
            if (_connection is not null && (_connectionKey != key || !_connection.IsUsable))
            {
                await CloseAsync(cancellationToken);
            }

            if (_connection is null)
            {
                SmtpClientConnection connection;
                try
                {
                    connection = await owner._connect(target, cancellationToken);
                }
                catch (SmtpConnectException ex)
                {
                    if (envelope.ForwardToAddress.Length > 0)
                    {
                        _unreachable.Add(address);
                        Log.ClientError(owner._logger, ex.Message);
                        return (stop, null);
                    }

                    return (true, ex.Message);
                }

                _connection = connection;
                _connectionKey = key;
                var opened = await connection.OpenAsync(cancellationToken);
                if (opened is not null)
                {
                    await SettleAsync(message, opened with { Undelivered = envelope.ToRemote }, cancellationToken);
                    await CloseAsync(cancellationToken);
                    return (true, null);
                }
            }

            var outcome = await _connection.SendAsync(OutgoingMessage.FromEnvelope(envelope), message.OpenContent, cancellationToken);
            await SettleAsync(message, outcome, cancellationToken);
            if (!_connection.IsUsable)
            {
                // A timeout, disconnect or protocol error after connecting aborts the run (reference §i).
                await CloseAsync(cancellationToken);
                return (true, null);
            }

            return (stop, null);
        }

        private async Task<FilterResult> RunFilterAsync(IMessageFilter filter, IStoredMessage message, string kind, CancellationToken cancellationToken)
        {
            var files = message as ISpoolFiles;
            FilterResult result;
            try
            {
                result = await filter.RunAsync(new FilterContext(message.Id, files?.ContentPath, files?.EnvelopePath, false), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.FilterError(owner._logger, ex.Message, ex);
                result = new FilterResult(FilterOutcome.Fail, false, "error", 0, ex.Message);
            }

            Log.ClientFilter(owner._logger, kind == "routing-filter" ? "routing-filter " + filter.Name : filter.Name, message.Id.ToString(),
                result.Outcome.ToString().ToLowerInvariant() + " response=[" + result.Response + "] reason=[" + result.Reason + "]");
            return result;
        }

        private async Task SettleAsync(IStoredMessage message, SendOutcome outcome, CancellationToken cancellationToken)
        {
            if (outcome.IsComplete)
            {
                _sent++;
                Log.Deleting(owner._logger, message.Id.ToString());
                await message.DeleteAsync(cancellationToken);
                return;
            }

            // Differences 5: the envelope keeps every recipient that did not receive the message.
            if (outcome.Undelivered.Count > 0 && !outcome.Undelivered.SequenceEqual(message.Envelope.ToRemote, StringComparer.Ordinal))
            {
                await message.UpdateRecipientsAsync(outcome.Undelivered, cancellationToken);
            }

            var limit = owner._options.RetryLimit;
            if (outcome.Transient && RetrySchedule.Failures(message.Envelope) + 1 < limit)
            {
                Log.Deferring(owner._logger, message.Id.ToString(), outcome.Reason);
                await message.DeferAsync(outcome.Reason, outcome.ReasonCode, cancellationToken);
                return;
            }

            await FailAsync(message, outcome.Reason, outcome.ReasonCode, cancellationToken);
        }

        private async Task FailAsync(IStoredMessage message, string reason, int code, CancellationToken cancellationToken)
        {
            Log.Failing(owner._logger, message.Id.ToString(), reason);
            await message.FailAsync(reason, code, cancellationToken);
        }
    }
}
