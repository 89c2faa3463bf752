using System.Threading.Channels;
using EmailRelay.Diagnostics;
using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Smtp;
using EmailRelay.Protocol.Smtp.Client;
using EmailRelay.Spool;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Smtp.Client;

/// <summary>
/// Forwarding runs (reference §i, §c "Routing pass", §h "Forwarding triggers"; differences 5 and 13): walks the
/// ready messages in lexical order, locks each, runs the client (or routing) filter, sends it over a connection
/// reused while the address and account selector stay the same, then deletes, fails or defers it. One run at a
/// time; a request during a run queues one more. With <see cref="ForwardingOptions.Connections"/> above one, the
/// run hands the messages, still in lexical order, to that many connections working at once. Between triggered
/// runs the connections stay open for <see cref="ForwardingOptions.IdleConnectionTime"/> after their last message
/// (proxy mode's next disconnect then costs no connect, greeting and EHLO); a kept connection the server has closed
/// is replaced before, or as, the next message starts, without a failure on it. <see cref="ForwardNowAsync"/> serves <c>--immediate</c>.
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

    /// <summary>
    /// Serves run requests and the poll timer until <paramref name="cancellationToken"/>. Between runs the
    /// connections stay open for <see cref="ForwardingOptions.IdleConnectionTime"/> after their last message, so
    /// that the next trigger (proxy mode: the next client's disconnect) costs no connect, greeting and EHLO.
    /// </summary>
    /// <param name="cancellationToken">Shutdown.</param>
    /// <returns>A task that ends at shutdown.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var poll = _options.Poll is { } period ? PollAsync(period, cancellationToken) : Task.CompletedTask;
        var lanes = NewLanes();
        try
        {
            while (true)
            {
                var reason = await NextRequestAsync(lanes, cancellationToken);
                Log.Forwarding(_logger, reason);
                try
                {
                    await RunWithAsync(lanes, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.RunFailed(_logger, ex.Message);
                    await CloseAsync(lanes, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await CloseAsync(lanes, CancellationToken.None);
        }

        await poll;
    }

    /// <summary>One run over the spool; its connections are closed at the end.</summary>
    /// <param name="cancellationToken">Shutdown.</param>
    /// <returns>What the run did.</returns>
    public async Task<ForwardRunResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var lanes = NewLanes();
        try
        {
            return await RunWithAsync(lanes, cancellationToken);
        }
        finally
        {
            await CloseAsync(lanes, cancellationToken);
        }
    }

    /// <summary>
    /// <c>--immediate</c> (reference §i; differences 6): forwards one just-committed message over a connection of
    /// its own, before the SMTP client gets its reply. Delivered: the message is deleted and the result is null.
    /// Any failure: the message is deleted too (the client is told, and will retry; a copy left in the spool would
    /// become a duplicate) and the result is the reply for the client: the upstream's 4xx or 5xx, else 452.
    /// If another run already holds the message it stays with that run, and the result is null (it is stored).
    /// </summary>
    /// <param name="id">The committed message.</param>
    /// <param name="cancellationToken">Shutdown.</param>
    /// <returns>Null on success, else the failure reply.</returns>
    public async Task<SmtpReply?> ForwardNowAsync(MessageId id, CancellationToken cancellationToken)
    {
        var lane = new Lane(_logger);
        try
        {
            var run = new Run(this, [lane], immediate: true);
            return await run.ForwardOneAsync(id, cancellationToken);
        }
        finally
        {
            await lane.CloseAsync(cancellationToken);
        }
    }

    private static async Task CloseAsync(Lane[] lanes, CancellationToken cancellationToken)
    {
        foreach (var lane in lanes)
        {
            await lane.CloseAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The next run request. While none is queued, each open connection stays open until
    /// <see cref="ForwardingOptions.IdleConnectionTime"/> after its last message, and is then closed (QUIT).
    /// </summary>
    private async Task<string> NextRequestAsync(Lane[] lanes, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_requests.Reader.TryRead(out var reason))
            {
                return reason;
            }

            if (await CloseIdleAsync(lanes, cancellationToken) is not { } idle)
            {
                return await _requests.Reader.ReadAsync(cancellationToken);
            }

            using var timeout = new CancellationTokenSource(idle, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            try
            {
                return await _requests.Reader.ReadAsync(linked.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Idle long enough: the loop closes what has timed out.
            }
        }
    }

    /// <summary>Closes the connections idle for <see cref="ForwardingOptions.IdleConnectionTime"/> or unusable; returns the time until the next one idles out, or null when none is open.</summary>
    private async Task<TimeSpan?> CloseIdleAsync(Lane[] lanes, CancellationToken cancellationToken)
    {
        TimeSpan? next = null;
        foreach (var lane in lanes)
        {
            if (lane.Connection is not { } connection)
            {
                continue;
            }

            var left = _options.IdleConnectionTime - _time.GetElapsedTime(lane.LastUsed);
            if (left <= TimeSpan.Zero || !connection.IsUsable)
            {
                await lane.CloseAsync(cancellationToken);
                continue;
            }

            next = next is { } soonest && soonest < left ? soonest : left;
        }

        return next;
    }

    private Lane[] NewLanes()
    {
        var lanes = new Lane[Math.Max(1, _options.Connections)];
        for (var i = 0; i < lanes.Length; i++)
        {
            lanes[i] = new Lane(_logger);
        }

        return lanes;
    }

    private async Task<ForwardRunResult> RunWithAsync(Lane[] lanes, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _running, 1);
        try
        {
            return await new Run(this, lanes, immediate: false).ExecuteAsync(cancellationToken);
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

    /// <summary>One upstream connection and the address and account selector it was opened for.</summary>
    private sealed class Lane(ILogger logger)
    {
        public SmtpClientConnection? Connection { get; set; }

        public string? Key { get; set; }

        /// <summary>When the connection last carried a message (or opened): <see cref="TimeProvider.GetTimestamp"/>.</summary>
        public long LastUsed { get; set; }

        public async Task CloseAsync(CancellationToken cancellationToken)
        {
            if (Connection is { } connection)
            {
                Connection = null;
                Key = null;
                try
                {
                    await connection.QuitAsync(cancellationToken);
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or TimeoutException or System.Net.Sockets.SocketException
                    or System.Security.Authentication.AuthenticationException)
                {
                    // The connection is going anyway; a failed QUIT must neither leak it nor end the forwarder.
                }
                finally
                {
                    await connection.DisposeAsync();
                    Log.ConnectionClosed(logger);
                }
            }
        }
    }

    /// <summary>The state of one run: the message list, the unreachable routed addresses, and the lanes working on it.</summary>
    private sealed class Run(Forwarder owner, Lane[] lanes, bool immediate)
    {
        private readonly HashSet<string> _unreachable = new(StringComparer.OrdinalIgnoreCase);
        private List<MessageId> _ids = [];
        private int _next;
        private int _sent;
        private volatile bool _stop;
        private string? _connectError;
        private SmtpReply? _immediateFailure;

        public async Task<ForwardRunResult> ExecuteAsync(CancellationToken cancellationToken)
        {
            var ids = new List<MessageId>();
            await foreach (var id in owner._spool.ListAsync(SpoolView.Ready, cancellationToken))
            {
                ids.Add(id);
            }

            ids.Sort((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
            _ids = ids;
            var count = Math.Min(lanes.Length, ids.Count);
            if (count <= 1)
            {
                await DrainAsync(lanes[0], cancellationToken);
            }
            else
            {
                var work = new Task[count];
                for (var i = 0; i < count; i++)
                {
                    work[i] = DrainAsync(lanes[i], cancellationToken);
                }

                await Task.WhenAll(work);
            }

            if (_connectError is not null)
            {
                return new ForwardRunResult(ids.Count, _sent, _connectError);
            }

            Log.NoMoreMessages(owner._logger);
            return new ForwardRunResult(ids.Count, _sent, null);
        }

        public async Task<SmtpReply?> ForwardOneAsync(MessageId id, CancellationToken cancellationToken)
        {
            var message = await owner._spool.TryLockAsync(id, cancellationToken);
            if (message is null)
            {
                return null;
            }

            await using (message)
            {
                using var scope = owner._logger.BeginScope(new MessageLogScope(id));
                try
                {
                    var (_, connectError) = await ForwardAsync(lanes[0], message, cancellationToken);
                    if (connectError is not null)
                    {
                        await FailAsync(message, connectError, 0, cancellationToken);
                    }
                }
                catch (SpoolException ex) when (_immediateFailure is null)
                {
                    // The client is told of the failure, so the message must not stay behind (differences 6).
                    Log.RunFailed(owner._logger, ex.Message);
                    await FailAsync(message, ex.Message, 0, cancellationToken);
                }
            }

            return _immediateFailure;
        }

        /// <summary>One lane's share of the run: takes the next message in order until none is left or the run stops.</summary>
        private async Task DrainAsync(Lane lane, CancellationToken cancellationToken)
        {
            try
            {
                while (!_stop)
                {
                    var index = Interlocked.Increment(ref _next) - 1;
                    if (index >= _ids.Count)
                    {
                        return;
                    }

                    var id = _ids[index];
                    var message = await owner._spool.TryLockAsync(id, cancellationToken);
                    if (message is null)
                    {
                        continue;
                    }

                    await using (message)
                    {
                        using var scope = owner._logger.BeginScope(new MessageLogScope(id));
                        var (stop, connectError) = await ForwardAsync(lane, message, cancellationToken);
                        if (connectError is not null)
                        {
                            Interlocked.CompareExchange(ref _connectError, connectError, null);
                            _stop = true;
                            return;
                        }

                        if (stop)
                        {
                            _stop = true;
                        }
                    }
                }
            }
            catch
            {
                _stop = true;
                throw;
            }
        }

        /// <summary>Handles one locked message; returns whether to stop the run and a connect error that aborts it.</summary>
        private async Task<(bool Stop, string? ConnectError)> ForwardAsync(Lane lane, IStoredMessage message, CancellationToken cancellationToken)
        {
            var options = owner._options;
            var id = message.Id.ToString();
            if (RetrySchedule.Failures(message.Envelope) > 0
                && !RetrySchedule.IsDue(message.Envelope, message.LastAttempt, owner._time.GetUtcNow(), options.RetryBase))
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
            if (IsUnreachable(address))
            {
                if (immediate)
                {
                    await FailAsync(message, "cannot connect to " + address, 0, cancellationToken);
                }

                return (stop, null);
            }

            Stream content;
            try
            {
                content = message.OpenContent();
            }
            catch (SpoolException ex)
            {
                // A missing or unreadable content file fails this message only; the run carries on.
                await FailAsync(message, ex.Message, 0, cancellationToken);
                return (stop, null);
            }

            await using var ownedContent = content;
            var key = address + "\n" + envelope.ClientAccountSelector;
            while (true)
            {
                var reused = await KeepOrCloseAsync(lane, key, cancellationToken);
                if (!reused)
                {
                    var (opened, openStop, connectError) = await OpenAsync(lane, target, key, address, message, cancellationToken);
                    if (!opened)
                    {
                        return (stop || openStop, connectError);
                    }
                }

                var outcome = await lane.Connection!.SendAsync(OutgoingMessage.FromEnvelope(envelope), () => content, cancellationToken);
                if (!options.ExitAfterRun && !Thread.CurrentThread.IsThreadPoolThread && !BlockingWorkers.IsWorkerThread)
                {
                    // The reply completed inline on a socket event thread, which in a serving process also dispatches
                    // every SMTP client's reads: the spool work that follows (the delete, the next message's lock and
                    // envelope) moves to a spool worker rather than holding those up, and rather than queueing behind
                    // the sessions' work on the thread pool (which slowed the one-connection forwarder at c=50).
                    // Not in --as-client, which serves nobody.
                    await BlockingWorkers.SwitchToWorker();
                }

                if (reused && lane.Connection.ClosedBeforeTransaction)
                {
                    // The server closed the kept connection (idle timeout) as this message started: nothing of it was
                    // accepted, so it goes again over a new connection, without a failure on its envelope.
                    Log.ReconnectingStale(owner._logger, address);
                    await lane.CloseAsync(cancellationToken);
                    continue;
                }

                lane.LastUsed = owner._time.GetTimestamp();
                await SettleAsync(message, outcome, cancellationToken);
                if (!lane.Connection.IsUsable)
                {
                    // A timeout, disconnect or protocol error after connecting aborts the run (reference §i).
                    await lane.CloseAsync(cancellationToken);
                    return (true, null);
                }

                return (stop, null);
            }
        }

        /// <summary>
        /// Keeps the lane's connection for a message to <paramref name="key"/> (address and account selector) if it
        /// is for that key, usable, and still open with nothing unread; otherwise closes it. Returns whether one is kept.
        /// </summary>
        private static async Task<bool> KeepOrCloseAsync(Lane lane, string key, CancellationToken cancellationToken)
        {
            if (lane.Connection is not { } connection)
            {
                return false;
            }

            if (lane.Key == key && connection.IsUsable && connection.IsOpenAndQuiet())
            {
                return true;
            }

            await lane.CloseAsync(cancellationToken);
            return false;
        }

        /// <summary>Connects the lane and opens the session; on failure returns whether to stop the run and a connect error that aborts it.</summary>
        private async Task<(bool Opened, bool Stop, string? ConnectError)> OpenAsync(Lane lane, ForwardTarget target, string key, string address,
            IStoredMessage message, CancellationToken cancellationToken)
        {
            var envelope = message.Envelope;
            SmtpClientConnection connection;
            try
            {
                connection = await owner._connect(target, cancellationToken);
            }
            catch (SmtpConnectException ex)
            {
                if (envelope.ForwardToAddress.Length > 0)
                {
                    lock (_unreachable)
                    {
                        _unreachable.Add(address);
                    }

                    Log.ClientError(owner._logger, ex.Message);
                    if (immediate)
                    {
                        await FailAsync(message, ex.Message, 0, cancellationToken);
                    }

                    return (false, false, null);
                }

                return (false, true, ex.Message);
            }

            lane.Connection = connection;
            lane.Key = key;
            lane.LastUsed = owner._time.GetTimestamp();
            var opened = await connection.OpenAsync(cancellationToken);
            if (opened is not null)
            {
                await SettleAsync(message, opened with { Undelivered = envelope.ToRemote }, cancellationToken);
                await lane.CloseAsync(cancellationToken);
                return (false, true, null);
            }

            return (true, false, null);
        }

        private bool IsUnreachable(string address)
        {
            lock (_unreachable)
            {
                return _unreachable.Contains(address);
            }
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
                Interlocked.Increment(ref _sent);
                Log.Deleting(owner._logger, message.Id.ToString());
                await message.DeleteAsync(cancellationToken);
                return;
            }

            if (immediate && !outcome.Delivered)
            {
                // Reference §i: a recipient rejection reaches the client as 452, whatever the upstream's code.
                var recipientsRejected = outcome.Reason is SmtpClientSession.SomeRecipientsRejected or SmtpClientSession.AllRecipientsRejected;
                await FailAsync(message, outcome.Reason, recipientsRejected ? 0 : outcome.ReasonCode, cancellationToken);
                return;
            }

            // From here on the message went to some recipients (or this is not --immediate): what is left stays in the
            // spool as in any run, and an --immediate client is told of success, so that a retry duplicates nothing.

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

            await FailAsync(message, outcome.Reason, outcome.ReasonCode, cancellationToken, keep: outcome.Delivered);
        }

        /// <summary>Fails the message: <c>.bad</c> with its reason, or under <c>--immediate</c> deleted, the reason going to the client.</summary>
        private async Task FailAsync(IStoredMessage message, string reason, int code, CancellationToken cancellationToken, bool keep = false)
        {
            Log.Failing(owner._logger, message.Id.ToString(), reason);
            if (immediate && !keep)
            {
                // Differences 6: the client learns of the failure, so no copy stays behind.
                _immediateFailure = SmtpReply.Create(code is >= 400 and <= 599 ? code : 452, reason.Length > 0 ? reason : "forwarding failed");
                await message.DeleteAsync(cancellationToken);
                return;
            }

            await message.FailAsync(reason, code, cancellationToken);
        }
    }
}
