using EmailRelay.Diagnostics;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Smtp;
using EmailRelay.Spool;

namespace EmailRelay.Smtp.Client;

/// <summary>
/// One run over the spool (reference §i; differences 5 and 13): the ready messages in lexical order, each locked,
/// attempted (<see cref="DeliveryAttempt"/>) and settled by the run's <see cref="SettlementPolicy"/>. With several
/// lanes the messages, still in lexical order, go to that many connections working at once. A routed address that
/// cannot be reached is not tried again in the same run; the default upstream unreachable, a filter's special exit
/// or a broken upstream session stops the run. An envelope that cannot be read is skipped.
/// </summary>
internal sealed class ForwardingRun(Forwarder forwarder, UpstreamLane[] lanes)
{
    private readonly HashSet<string> _unreachable = new(StringComparer.OrdinalIgnoreCase);
    private List<MessageId> _ids = [];
    private int _next;
    private int _sent;
    private volatile bool _stop;
    private string? _connectError;

    /// <summary>The forwarder whose spool, settings and connections the run uses.</summary>
    public Forwarder Forwarder => forwarder;

    /// <summary>Whether <paramref name="address"/> failed to connect earlier in this run.</summary>
    public bool IsUnreachable(string address)
    {
        lock (_unreachable)
        {
            return _unreachable.Contains(address);
        }
    }

    /// <summary>Notes that <paramref name="address"/> cannot be reached for the rest of the run.</summary>
    public void MarkUnreachable(string address)
    {
        lock (_unreachable)
        {
            _unreachable.Add(address);
        }
    }

    /// <summary>Runs over the ready messages with the stored-forwarding policy.</summary>
    public async Task<ForwardRunResult> ExecuteAsync(CancellationToken cancellationToken)
    {
        var ids = new List<MessageId>();
        await foreach (var id in forwarder.Spool.ListAsync(SpoolView.Ready, cancellationToken))
        {
            ids.Add(id);
        }

        ids.Sort((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
        _ids = ids;
        var count = Math.Min(lanes.Length, ids.Count);
        if (count <= 1)
        {
            await DrainAsync(lanes[0], -1, cancellationToken);
        }
        else
        {
            // Each lane is given its first message before any starts, and starts on the pool: a lane whose I/O
            // all completes synchronously (loopback, a busy machine) would otherwise take every message before
            // the next lane had begun, and the run would use one connection.
            _next = count;
            var work = new Task[count];
            for (var i = 0; i < count; i++)
            {
                var lane = lanes[i];
                var first = i;
                work[i] = Task.Run(() => DrainAsync(lane, first, cancellationToken), CancellationToken.None);
            }

            await Task.WhenAll(work);
        }

        if (_connectError is null)
        {
            Log.NoMoreMessages(forwarder.Logger);
        }

        forwarder.Events.ForwardingEnded(_sent, _connectError ?? "");
        return new ForwardRunResult(ids.Count, _sent, _connectError);
    }

    /// <summary>
    /// <c>--immediate</c>: one just-committed message over the first lane, settled by an
    /// <see cref="ImmediateSettlement"/>. Null when it went (or another run holds it), else the client's reply.
    /// </summary>
    public async Task<SmtpReply?> ForwardOneAsync(MessageId id, CancellationToken cancellationToken)
    {
        var message = await forwarder.TryLockAsync(id, cancellationToken);
        if (message is null)
        {
            return null;
        }

        var policy = new ImmediateSettlement(forwarder);
        await using (message)
        {
            using var scope = forwarder.Logger.BeginScope(new MessageLogScope(id));
            try
            {
                await AttemptAsync(lanes[0], message, policy, cancellationToken);
            }
            catch (SpoolException ex) when (policy.Reply is null)
            {
                // The client is told of the failure, so the message must not stay behind (differences 6).
                Log.RunFailed(forwarder.Logger, ex.Message);
                await policy.FailLocallyAsync(message, ex.Message, cancellationToken);
            }
        }

        return policy.Reply;
    }

    /// <summary>
    /// One lane's share of the run: its <paramref name="first"/> message (none when negative), then the next
    /// message in order until none is left or the run stops.
    /// </summary>
    private async Task DrainAsync(UpstreamLane lane, int first, CancellationToken cancellationToken)
    {
        var policy = SettlementPolicy.Stored(forwarder);
        try
        {
            // A drain stops the run between messages (issue 22).
            while (!_stop && !forwarder.Draining)
            {
                var index = first >= 0 ? first : Interlocked.Increment(ref _next) - 1;
                first = -1;
                if (index >= _ids.Count)
                {
                    return;
                }

                var id = _ids[index];
                var message = await forwarder.TryLockAsync(id, cancellationToken);
                if (message is null)
                {
                    continue;
                }

                await using (message)
                {
                    using var scope = forwarder.Logger.BeginScope(new MessageLogScope(id));
                    var result = await AttemptAsync(lane, message, policy, cancellationToken);
                    if (result.Status == DeliveryStatus.ConnectFailed)
                    {
                        Interlocked.CompareExchange(ref _connectError, result.Reason, null);
                    }

                    if (result.StopRun)
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

    /// <summary>Attempts the message, settles it, and closes the lane's connection if the attempt left it unusable.</summary>
    private async Task<DeliveryResult> AttemptAsync(UpstreamLane lane, IStoredMessage message, SettlementPolicy policy, CancellationToken cancellationToken)
    {
        var result = await new DeliveryAttempt(this, lane, message).ExecuteAsync(cancellationToken);
        if (await policy.SettleAsync(message, result, cancellationToken))
        {
            Interlocked.Increment(ref _sent);
        }

        if (lane.Connection is { IsUsable: false })
        {
            await lane.CloseAsync(cancellationToken);
        }

        return result;
    }
}
