using EmailRelay.Events;
using EmailRelay.Protocol.Smtp.Client;
using EmailRelay.Spool;

namespace EmailRelay.Smtp.Client;

/// <summary>
/// What happens to a message after its <see cref="DeliveryAttempt"/>: the spool verb (delete, defer, fail, or
/// nothing) and its log line and event. <see cref="Stored"/> is store-and-forward (reference §i); the
/// <c>--immediate</c> policy is <see cref="ImmediateSettlement"/>.
/// </summary>
internal class SettlementPolicy
{
    /// <summary>Creates a policy for <paramref name="forwarder"/>'s messages.</summary>
    protected SettlementPolicy(Forwarder forwarder) => Forwarder = forwarder;

    /// <summary>The forwarder whose settings, log and events the policy uses.</summary>
    protected Forwarder Forwarder { get; }

    /// <summary>Store-and-forward: delivered messages are deleted, the rest deferred or failed to <c>.bad</c>; unreachable ones wait for the next run.</summary>
    public static SettlementPolicy Stored(Forwarder forwarder) => new(forwarder);

    /// <summary>Settles <paramref name="message"/>; returns true when it was delivered to every recipient (and deleted).</summary>
    public async ValueTask<bool> SettleAsync(IStoredMessage message, DeliveryResult result, CancellationToken cancellationToken)
    {
        switch (result.Status)
        {
            case DeliveryStatus.Failed:
                await FailedAsync(message, result, cancellationToken);
                return false;
            case DeliveryStatus.Unreachable or DeliveryStatus.ConnectFailed:
                await UnreachableAsync(message, result.Reason, cancellationToken);
                return false;
            case DeliveryStatus.Deferred:
                await DeferredAsync(message, result.Reason, cancellationToken);
                return false;
            case DeliveryStatus.Sent:
                return await SentAsync(message, result.Outcome!, cancellationToken);
            default:
                return false;
        }
    }

    /// <summary>The upstream could not be reached: stored messages stay ready for the next run.</summary>
    protected virtual ValueTask UnreachableAsync(IStoredMessage message, string reason, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>A local, passing reason (<see cref="DeliveryStatus.Deferred"/>): deferred with the Reason, never failed for it.</summary>
    protected virtual async ValueTask DeferredAsync(IStoredMessage message, string reason, CancellationToken cancellationToken)
    {
        Log.Deferring(Forwarder.Logger, message.Id.ToString(), reason);
        await message.DeferAsync(reason, 0, cancellationToken);
        Forwarder.Events.Settled(RelayEventKind.Deferred, message.Id, 0, reason);
    }

    /// <summary>The upstream answered without delivering to every recipient.</summary>
    protected virtual async ValueTask UndeliveredAsync(IStoredMessage message, SendOutcome outcome, CancellationToken cancellationToken)
    {
        // Differences 5: the envelope keeps every recipient that did not receive the message.
        if (outcome.Undelivered.Count > 0 && !outcome.Undelivered.SequenceEqual(message.Envelope.ToRemote, StringComparer.Ordinal))
        {
            await message.UpdateRecipientsAsync(outcome.Undelivered, cancellationToken);
        }

        if (outcome.Transient && RetrySchedule.Failures(message.Envelope) + 1 < Forwarder.Options.RetryLimit)
        {
            Log.Deferring(Forwarder.Logger, message.Id.ToString(), outcome.Reason);
            await message.DeferAsync(outcome.Reason, outcome.ReasonCode, cancellationToken);
            Forwarder.Events.Settled(RelayEventKind.Deferred, message.Id, outcome.ReasonCode, outcome.Reason);
            return;
        }

        await FailAsync(message, outcome.Reason, outcome.ReasonCode, keep: outcome.Delivered, cancellationToken);
    }

    /// <summary>Settles a message that could not go for a reason of its own (<see cref="DeliveryStatus.Failed"/>).</summary>
    protected virtual ValueTask FailedAsync(IStoredMessage message, DeliveryResult result, CancellationToken cancellationToken) =>
        FailAsync(message, result.Reason, result.Code, keep: false, cancellationToken);

    /// <summary>Fails the message to <c>.bad</c> with its reason (<paramref name="keep"/>: it went to some recipients).</summary>
    protected virtual async ValueTask FailAsync(IStoredMessage message, string reason, int code, bool keep, CancellationToken cancellationToken)
    {
        Log.Failing(Forwarder.Logger, message.Id.ToString(), reason);
        Forwarder.Events.Settled(RelayEventKind.Failed, message.Id, code, reason);
        await message.FailAsync(reason, code, cancellationToken);
    }

    /// <summary>Logs the failure and raises its event (for a policy that does not keep the message).</summary>
    protected void ReportFailure(IStoredMessage message, string reason, int code)
    {
        Log.Failing(Forwarder.Logger, message.Id.ToString(), reason);
        Forwarder.Events.Settled(RelayEventKind.Failed, message.Id, code, reason);
    }

    private async ValueTask<bool> SentAsync(IStoredMessage message, SendOutcome outcome, CancellationToken cancellationToken)
    {
        if (outcome.IsComplete)
        {
            Log.Deleting(Forwarder.Logger, message.Id.ToString());
            await message.DeleteAsync(cancellationToken);
            Forwarder.Events.Message(RelayEventKind.Delivered, message.Id);
            return true;
        }

        await UndeliveredAsync(message, outcome, cancellationToken);
        return false;
    }
}
