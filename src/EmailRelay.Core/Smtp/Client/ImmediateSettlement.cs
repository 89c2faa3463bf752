using EmailRelay.Protocol.Smtp;
using EmailRelay.Protocol.Smtp.Client;
using EmailRelay.Spool;

namespace EmailRelay.Smtp.Client;

/// <summary>
/// <c>--immediate</c> (reference §i; differences 6): the SMTP client waits for the upstream's answer, so a message
/// that does not go is deleted and the client told (<see cref="Reply"/>): a copy left in the spool would become a
/// duplicate when the client retries. A message that went to some recipients is settled as stored forwarding does
/// (the client is told of success, so a retry duplicates nothing). One instance per message.
/// </summary>
internal sealed class ImmediateSettlement(Forwarder forwarder) : SettlementPolicy(forwarder)
{
    /// <summary>The reply for the client after a failure: the upstream's 4xx or 5xx, else 452; null after success.</summary>
    public SmtpReply? Reply { get; private set; }

    /// <summary>Fails the message for a local error (a spool error) before anything was settled.</summary>
    public ValueTask FailLocallyAsync(IStoredMessage message, string reason, CancellationToken cancellationToken) =>
        FailAsync(message, reason, 0, keep: false, cancellationToken);

    /// <inheritdoc />
    protected override ValueTask UnreachableAsync(IStoredMessage message, string reason, CancellationToken cancellationToken) =>
        FailAsync(message, reason, 0, keep: false, cancellationToken);

    /// <inheritdoc />
    protected override ValueTask DeferredAsync(IStoredMessage message, string reason, CancellationToken cancellationToken) =>
        FailAsync(message, reason, 0, keep: false, cancellationToken);

    /// <inheritdoc />
    protected override async ValueTask UndeliveredAsync(IStoredMessage message, SendOutcome outcome, CancellationToken cancellationToken)
    {
        if (outcome.Delivered)
        {
            await base.UndeliveredAsync(message, outcome, cancellationToken);
            return;
        }

        // Reference §i: a recipient rejection reaches the client as 452, whatever the upstream's code.
        var recipientsRejected = outcome.Reason is SmtpClientSession.SomeRecipientsRejected or SmtpClientSession.AllRecipientsRejected;
        await FailAsync(message, outcome.Reason, recipientsRejected ? 0 : outcome.ReasonCode, keep: false, cancellationToken);
    }

    /// <inheritdoc />
    protected override async ValueTask FailedAsync(IStoredMessage message, DeliveryResult result, CancellationToken cancellationToken)
    {
        await base.FailedAsync(message, result, cancellationToken);
        Reply = result.ClientReply ?? Reply;
    }

    /// <inheritdoc />
    protected override async ValueTask FailAsync(IStoredMessage message, string reason, int code, bool keep, CancellationToken cancellationToken)
    {
        if (keep)
        {
            await base.FailAsync(message, reason, code, keep, cancellationToken);
            return;
        }

        ReportFailure(message, reason, code);
        Reply = SmtpReply.Create(code is >= 400 and <= 599 ? code : 452, reason.Length > 0 ? reason : "forwarding failed");
        await message.DeleteAsync(cancellationToken);
    }
}
