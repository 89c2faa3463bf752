using System.Threading.Channels;
using EmailRelay.Events;
using EmailRelay.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Smtp;
using EmailRelay.Protocol.Smtp.Client;
using EmailRelay.Spool;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Smtp.Client;

/// <summary>
/// A unit's forwarding (reference §i, §h "Forwarding triggers"): the trigger loop, which serves run requests and the
/// poll timer with one run at a time (a request during a run queues one more; a third is dropped), over
/// <see cref="UpstreamConnections"/> kept between runs. A run is a <see cref="ForwardingRun"/>, each message in it a
/// <see cref="DeliveryAttempt"/> settled by a <see cref="SettlementPolicy"/>. <see cref="OpenImmediateSession"/>
/// serves <c>--immediate</c>.
/// </summary>
internal sealed class Forwarder
{
    private readonly Func<ForwardTarget, CancellationToken, Task<SmtpClientConnection>> _connect;
    private readonly Channel<string> _requests = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private int _running;
    private CancellationToken _draining;
    private int _wakePending;

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
        Spool = spool;
        Filter = filter;
        Options = options;
        Time = time;
        Logger = logger;
        _connect = connect ?? ((target, ct) => SmtpClientConnection.ConnectAsync(target, options.Client, time, logger, ct));
        if (options.RouteTables.Count > 0)
        {
            var tables = options.RouteTables.Select(p => RouteTableFile.Open(p, time)).ToArray();
            RateLimits = new RateLimits.RouteRateLimits(
                (address, account) => tables.Select(t => t.Current.FindLimits(address, account)).FirstOrDefault(static r => r is not null), options.RateLimitState, time, logger);
        }
    }

    /// <summary>The routes' rate limits (route tables with <c>messages-per-minute=</c> and friends), or null.</summary>
    public RateLimits.RouteRateLimits? RateLimits { get; init; }

    /// <summary>The settings.</summary>
    public ForwardingOptions Options { get; }

    /// <summary>Where runs, connections and deliveries are reported.</summary>
    public RelayEvents Events { get; init; } = new();

    /// <summary>The spool.</summary>
    internal IMessageSpool Spool { get; }

    /// <summary>The client filter, or null.</summary>
    internal IMessageFilter? Filter { get; }

    /// <summary>The clock.</summary>
    internal TimeProvider Time { get; }

    /// <summary>The forwarding log.</summary>
    internal ILogger Logger { get; }

    /// <summary>True once a drain has asked forwarding to stop between messages (<see cref="RunAsync(CancellationToken, CancellationToken)"/>).</summary>
    internal bool Draining => _draining.IsCancellationRequested;

    /// <summary>Asks for a run (a trigger); queued if a run is in progress, dropped if one is already queued.</summary>
    /// <param name="reason">The trigger, for the log: <c>poll</c>, <c>client disconnect</c>, <c>rescan</c>, <c>forward</c>.</param>
    public void Request(string reason)
    {
        if (Volatile.Read(ref _running) != 0)
        {
            Log.StillBusy(Logger, reason);
        }

        _requests.Writer.TryWrite(reason);
    }

    /// <summary>Serves run requests and the poll timer until <paramref name="cancellationToken"/> (shutdown).</summary>
    /// <returns>A task that ends at shutdown.</returns>
    public Task RunAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken, CancellationToken.None);

    /// <summary>
    /// Serves run requests and the poll timer until <paramref name="draining"/> or <paramref name="cancellationToken"/>.
    /// A drain (issue 22) stops forwarding between messages: the message being delivered finishes and is settled,
    /// no other is started; <paramref name="cancellationToken"/> ends the delivery at once (the message stays in the spool).
    /// </summary>
    /// <returns>A task that ends at shutdown or when the drain has stopped forwarding.</returns>
    public async Task RunAsync(CancellationToken cancellationToken, CancellationToken draining)
    {
        _draining = draining;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, draining);
        var poll = Options.Poll is { } period ? PollAsync(period, stop.Token) : Task.CompletedTask;
        var connections = NewConnections();
        try
        {
            while (true)
            {
                var reason = await NextRequestAsync(connections, stop.Token);
                Log.Forwarding(Logger, reason);
                Events.ForwardingStarted(reason);
                try
                {
                    await RunWithAsync(connections, cancellationToken);
                    WakeForRateLimits(stop.Token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.RunFailed(Logger, ex.Message);
                    Events.ForwardingEnded(0, ex.Message);
                    await connections.CloseAllAsync(cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            await connections.CloseAllAsync(CancellationToken.None);
        }

        await poll;
    }

    /// <summary>One run over the spool; its connections are closed at the end.</summary>
    /// <param name="cancellationToken">Shutdown.</param>
    /// <returns>What the run did.</returns>
    public async Task<ForwardRunResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var connections = NewConnections();
        try
        {
            return await RunWithAsync(connections, cancellationToken);
        }
        finally
        {
            RateLimits?.Save();
            await connections.CloseAllAsync(cancellationToken);
        }
    }

    /// <summary>
    /// <c>--immediate</c> for one message over a connection of its own (see <see cref="OpenImmediateSession"/>).
    /// Null when delivered (the message is deleted) or when another run holds it (it stays with that run); else the
    /// reply for the client (the message is deleted too: see <see cref="ImmediateSettlement"/>).
    /// </summary>
    /// <param name="id">The committed message.</param>
    /// <param name="cancellationToken">Shutdown.</param>
    /// <returns>Null on success, else the failure reply.</returns>
    public async Task<SmtpReply?> ForwardNowAsync(MessageId id, CancellationToken cancellationToken)
    {
        await using var session = OpenImmediateSession();
        return await session.ForwardAsync(id, cancellationToken);
    }

    /// <summary>
    /// <c>--immediate</c> for one SMTP client session (reference §i): its messages go, one at a time as each is
    /// committed, over one upstream connection, opened at the first and kept for the next while usable (replaced
    /// when the server has closed it), and closed when the session is disposed, as E-MailRelay does.
    /// </summary>
    /// <returns>The session; the caller disposes it when its client goes.</returns>
    public ImmediateSession OpenImmediateSession() => new(this);

    /// <summary>Opens an upstream connection (before the greeting).</summary>
    internal Task<SmtpClientConnection> ConnectAsync(ForwardTarget target, CancellationToken cancellationToken) => _connect(target, cancellationToken);

    /// <summary>
    /// Locks a message for a run; null when another holds it or it cannot be read. An envelope that cannot be read
    /// or parsed is skipped, so that the run goes on to the others (the spool logs it, and moves an envelope that is
    /// not one to <c>.envelope.bad</c>).
    /// </summary>
    internal async ValueTask<IStoredMessage?> TryLockAsync(MessageId id, CancellationToken cancellationToken)
    {
        try
        {
            return await Spool.TryLockAsync(id, cancellationToken);
        }
        catch (SpoolException ex)
        {
            Log.SkippingMessage(Logger, id.Value, ex.Message);
            return null;
        }
    }

    private UpstreamConnections NewConnections() => new(Options.Connections, Options.IdleConnectionTime, Time, Events);

    /// <summary>
    /// The next run request. While none is queued, each open connection stays open until
    /// <see cref="ForwardingOptions.IdleConnectionTime"/> after its last message, and is then closed (QUIT).
    /// </summary>
    private async Task<string> NextRequestAsync(UpstreamConnections connections, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_requests.Reader.TryRead(out var reason))
            {
                return reason;
            }

            if (await connections.CloseIdleAsync(cancellationToken) is not { } idle)
            {
                return await _requests.Reader.ReadAsync(cancellationToken);
            }

            using var timeout = new CancellationTokenSource(idle, Time);
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

    private async Task<ForwardRunResult> RunWithAsync(UpstreamConnections connections, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _running, 1);
        try
        {
            return await new ForwardingRun(this, connections.Lanes).ExecuteAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Exchange(ref _running, 0);
        }
    }

    /// <summary>After a run in which messages waited for a rate limit: a run when the soonest bucket allows one (a <c>rate limit</c> trigger).</summary>
    private void WakeForRateLimits(CancellationToken cancellationToken)
    {
        RateLimits?.Save();
        if (RateLimits?.NextAvailable() is not { } wait || Interlocked.Exchange(ref _wakePending, 1) != 0)
        {
            return;
        }

        _ = Task.Run(
            async () =>
            {
                try
                {
                    await Task.Delay(wait < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : wait, Time, cancellationToken);
                    Interlocked.Exchange(ref _wakePending, 0);
                    Request("rate limit");
                }
                catch (OperationCanceledException)
                {
                }
            },
            CancellationToken.None);
    }

    private async Task PollAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period, Time);
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

    /// <summary>See <see cref="OpenImmediateSession"/>. Used by one SMTP connection, so one message at a time.</summary>
    internal sealed class ImmediateSession : IAsyncDisposable
    {
        private readonly ForwardingRun _run;
        private readonly UpstreamLane _lane;

        internal ImmediateSession(Forwarder owner)
        {
            _lane = new UpstreamLane(owner.Events);
            _run = new ForwardingRun(owner, [_lane]);
        }

        /// <summary>As <see cref="ForwardNowAsync"/>, over the session's connection.</summary>
        public Task<SmtpReply?> ForwardAsync(MessageId id, CancellationToken cancellationToken) => _run.ForwardOneAsync(id, cancellationToken);

        /// <summary>Closes the upstream connection (QUIT) if one is open.</summary>
        public async ValueTask DisposeAsync() => await _lane.CloseAsync(CancellationToken.None);
    }
}
