using EmailRelay.Auth.OAuth;
using EmailRelay.Events;
using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Smtp;
using EmailRelay.Protocol.Smtp.Client;
using EmailRelay.Spool;

namespace EmailRelay.Smtp.Client;

/// <summary>
/// One delivery attempt of one locked message over one lane (reference §i, §c "Routing pass"): the retry time,
/// the client (or routing) filter, the route, the content, then the upstream transaction over the lane's connection
/// (reused while the address and account selector stay the same; a kept connection the server has closed is
/// replaced without a failure on the message). It settles nothing: the <see cref="DeliveryResult"/> goes to the
/// run's <see cref="SettlementPolicy"/>.
/// </summary>
internal sealed class DeliveryAttempt(ForwardingRun run, UpstreamLane lane, IStoredMessage message)
{
    private Forwarder Forwarder => run.Forwarder;

    /// <summary>Runs the attempt.</summary>
    public async Task<DeliveryResult> ExecuteAsync(CancellationToken cancellationToken)
    {
        var forwarder = Forwarder;
        var options = forwarder.Options;
        var waiting = RetrySchedule.WaitsForRateLimit(message.Envelope);
        if (waiting)
        {
            // Deferred for its route's rate limit: due as soon as the bucket allows, and left as it is (no filter
            // run, no envelope write) while it does not.
            if (forwarder.RateLimits?.WouldWait(message.Envelope.ForwardToAddress, message.Envelope.ClientAccountSelector, message.Envelope.ToRemote.Count) == true)
            {
                return new DeliveryResult(DeliveryStatus.NotDue);
            }
        }
        else if (RetrySchedule.Failures(message.Envelope) > 0
            && !RetrySchedule.IsDue(message.Envelope, message.LastAttempt, forwarder.Time.GetUtcNow(), options.RetryBase))
        {
            return new DeliveryResult(DeliveryStatus.NotDue);
        }

        Log.ForwardingMessage(forwarder.Logger, message.Id.ToString());
        if (message.Envelope.ToRemote.Count == 0)
        {
            return DeliveryResult.Fail("no remote recipients");
        }

        var routed = message.Envelope.ForwardTo.Length > 0;
        var stop = false;
        if (forwarder.Filter is { } filter)
        {
            var result = await RunFilterAsync(filter, routed ? "routing-filter" : "client-filter", cancellationToken);
            stop = result.Special; // client side: 102, 104 and 105 stop scanning
            switch (result.Outcome)
            {
                case FilterOutcome.Abandon:
                    return new DeliveryResult(DeliveryStatus.Abandoned, stop);
                case FilterOutcome.Fail when routed:
                    // --immediate's client gets E-MailRelay's "452 routing failed".
                    return DeliveryResult.Fail("routing filter failed: " + result.Response + ": " + result.Reason, 0, stop) with { ClientReply = SmtpReply.Create(452, "routing failed") };
                case FilterOutcome.Fail:
                    // --immediate's client gets the filter's response as E-MailRelay answers it: "452 rejected".
                    return DeliveryResult.Fail(result.Reason.Length > 0 ? result.Reason : result.Response, 550, stop) with
                    {
                        ClientReply = SmtpReply.Create(result.ResponseCode is >= 400 and <= 599 ? result.ResponseCode : 452, result.Response.Length > 0 ? result.Response : "rejected"),
                    };
            }

            await message.ReloadEnvelopeAsync(cancellationToken);
        }

        var envelope = message.Envelope;
        var targets = options.Client.Targets;
        if (envelope.ForwardToAddress.Length > 0)
        {
            if (!ForwardTarget.TryParseList(envelope.ForwardToAddress, out var routedTargets))
            {
                return DeliveryResult.Fail("invalid forward-to address: " + envelope.ForwardToAddress, 0, stop);
            }

            targets = routedTargets;
        }

        if (targets.Count == 0)
        {
            return DeliveryResult.Fail("no forward-to address", 0, stop);
        }

        var address = ForwardTarget.ToString(targets);
        if (run.IsUnreachable(address) || targets.All(t => run.IsUnreachable(t.ToString())))
        {
            return new DeliveryResult(DeliveryStatus.Unreachable, stop) { Reason = "cannot connect to " + address };
        }

        if (forwarder.RateLimits?.TryAcquire(envelope.ForwardToAddress, envelope.ClientAccountSelector, envelope.ToRemote.Count) is { } limited)
        {
            // Over its route's limit: deferred once with the Reason (the envelope and the event stream show it),
            // then left alone until the bucket allows; never failed for it.
            Log.RateLimited(forwarder.Logger, message.Id.ToString(), limited.Reason);
            return RetrySchedule.WaitsForRateLimit(envelope) ? new DeliveryResult(DeliveryStatus.NotDue, stop) : new DeliveryResult(DeliveryStatus.Deferred, stop) { Reason = limited.Reason };
        }

        Stream content;
        try
        {
            content = message.OpenContent();
        }
        catch (SpoolException ex)
        {
            // A missing or unreadable content file fails this message only; the run carries on.
            return DeliveryResult.Fail(ex.Message, 0, stop);
        }

        await using var ownedContent = content;
        return await SendAsync(targets, address, () => content, stop, cancellationToken);
    }

    private async Task<DeliveryResult> SendAsync(IReadOnlyList<ForwardTarget> targets, string address, Func<Stream> content, bool stop, CancellationToken cancellationToken)
    {
        var forwarder = Forwarder;
        var envelope = message.Envelope;
        var key = address + "\n" + envelope.ClientAccountSelector;
        var refreshed = false;
        while (true)
        {
            var reused = await lane.TryReuseAsync(key, cancellationToken);
            if (reused)
            {
                forwarder.Events.Message(RelayEventKind.Sending, message.Id);
            }
            else if (await OpenAsync(targets, key, address, cancellationToken) is { } failure)
            {
                return failure with { StopRun = stop || failure.StopRun };
            }

            SendOutcome outcome;
            try
            {
                outcome = await lane.Connection!.SendAsync(OutgoingMessage.FromEnvelope(envelope), content, cancellationToken);
            }
            catch (OAuthTokenException ex)
            {
                // No access token: nothing was sent; the message waits for the endpoint (or command) to recover.
                lane.LastUsed = forwarder.Time.GetTimestamp();
                return new DeliveryResult(DeliveryStatus.Deferred, stop) { Reason = ex.Message };
            }

            if (!forwarder.Options.ExitAfterRun && !Thread.CurrentThread.IsThreadPoolThread && !BlockingWorkers.IsWorkerThread)
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
                Log.ReconnectingStale(forwarder.Logger, address);
                await lane.CloseAsync(cancellationToken);
                continue;
            }

            if (!refreshed && outcome.Reason == SmtpClientSession.AuthFailed && lane.Connection.CachedTokens.Count > 0 && forwarder.Options.Client.Tokens is { } tokens)
            {
                // The server refused a cached OAuth token (revoked, or expired early): drop it, and try once more
                // over a new connection with a new one; a second refusal is the usual authentication failure.
                foreach (var (grant, token) in lane.Connection.CachedTokens)
                {
                    await tokens.InvalidateAsync(grant, token, cancellationToken);
                }

                refreshed = true;
                await lane.CloseAsync(cancellationToken);
                continue;
            }

            lane.LastUsed = forwarder.Time.GetTimestamp();
            if (targets.Count > 1 && outcome.Delivered)
            {
                Log.AcceptedBy(forwarder.Logger, message.Id.ToString(), lane.Connection.Peer.Length > 0 ? lane.Connection.Peer : lane.Host);
            }

            // A timeout, disconnect or protocol error after connecting aborts the run (reference §i).
            return DeliveryResult.Sent(outcome, stop || !lane.Connection.IsUsable);
        }
    }

    /// <summary>
    /// Connects the lane to the first of <paramref name="targets"/> that takes a connection and opens the session
    /// (failover: a host that refuses the connection, or answers the greeting or EHLO with a 4xx or by closing, gives
    /// way to the next, and is not tried again in this run); null when it is ready, else the result for the message.
    /// </summary>
    private async Task<DeliveryResult?> OpenAsync(IReadOnlyList<ForwardTarget> targets, string key, string address, CancellationToken cancellationToken)
    {
        var forwarder = Forwarder;
        var envelope = message.Envelope;
        var routed = envelope.ForwardToAddress.Length > 0;
        string? error = null;
        for (var i = 0; i < targets.Count; i++)
        {
            var host = targets[i].ToString();
            var next = i + 1 < targets.Count ? targets[i + 1].ToString() : null;
            if (targets.Count > 1 && run.IsUnreachable(host))
            {
                continue;
            }

            SmtpClientConnection connection;
            try
            {
                connection = await forwarder.ConnectAsync(targets[i], cancellationToken);
            }
            catch (SmtpConnectException ex)
            {
                error = ex.Message;
                if (targets.Count > 1)
                {
                    run.MarkUnreachable(host);
                }

                if (next is not null)
                {
                    Log.FailingOver(forwarder.Logger, ex.Message, next);
                }

                continue;
            }

            lane.Attach(connection, key, forwarder.Time.GetTimestamp(), host);
            forwarder.Events.Message(RelayEventKind.Sending, message.Id);
            var opened = await connection.OpenAsync(cancellationToken);
            forwarder.Events.Upstream(RelayEventKind.UpstreamConnected, connection.Peer);
            if (opened is null)
            {
                return null;
            }

            if (next is not null && opened.Transient)
            {
                Log.FailingOver(forwarder.Logger, host + ": " + (opened.ReasonCode > 0 ? opened.ReasonCode.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " : "") + opened.Reason, next);
                run.MarkUnreachable(host);
                await lane.CloseAsync(cancellationToken);
                continue;
            }

            return DeliveryResult.Sent(opened with { Undelivered = envelope.ToRemote }, stopRun: true);
        }

        error ??= "cannot connect to " + address;
        if (routed)
        {
            run.MarkUnreachable(address);
            Log.ClientError(forwarder.Logger, error);
            return new DeliveryResult(DeliveryStatus.Unreachable) { Reason = error };
        }

        return new DeliveryResult(DeliveryStatus.ConnectFailed, StopRun: true) { Reason = error };
    }

    private async Task<FilterResult> RunFilterAsync(IMessageFilter filter, string kind, CancellationToken cancellationToken)
    {
        var forwarder = Forwarder;
        FilterResult result;
        var started = forwarder.Events.IsEnabled ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
        try
        {
            result = await filter.RunAsync(new FilterContext(message.AsFilterMessage(), false) { Kind = kind }, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.FilterError(forwarder.Logger, ex.Message, ex);
            result = new FilterResult(FilterOutcome.Fail, false, "error", 0, ex.Message);
        }

        forwarder.Events.FilterRun(RelayService.Forwarder, message.Id, Server.MessageIntake.FilterResultName(result.Outcome),
            started == 0 ? TimeSpan.Zero : System.Diagnostics.Stopwatch.GetElapsedTime(started));
        Log.ClientFilter(forwarder.Logger, kind, filter.Name, message.Id.ToString(),
            (result.Outcome switch { FilterOutcome.Ok => "ok", FilterOutcome.Abandon => "ok(abandon)", _ => "failed" })
            + " response=[" + result.Response + "] reason=[" + result.Reason + "]");
        return result;
    }
}
