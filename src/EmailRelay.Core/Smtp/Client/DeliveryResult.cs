using EmailRelay.Protocol.Smtp.Client;

namespace EmailRelay.Smtp.Client;

/// <summary>What one <see cref="DeliveryAttempt"/> came to, before the message is settled.</summary>
internal enum DeliveryStatus
{
    /// <summary>A deferred message whose retry time has not come: left as it is.</summary>
    NotDue,

    /// <summary>The client filter abandoned the message (it is gone or the filter owns it).</summary>
    Abandoned,

    /// <summary>It could not go for a reason of its own (<see cref="DeliveryResult.Reason"/>, <see cref="DeliveryResult.Code"/>): no recipients, a filter failure, no content, a bad route.</summary>
    Failed,

    /// <summary>Its routed address cannot be reached in this run (<see cref="DeliveryResult.Reason"/>).</summary>
    Unreachable,

    /// <summary>The default upstream cannot be reached (<see cref="DeliveryResult.Reason"/>): the run ends.</summary>
    ConnectFailed,

    /// <summary>
    /// It cannot go yet for a local, passing reason (<see cref="DeliveryResult.Reason"/>): no OAuth token, a rate
    /// limit. It is deferred with that Reason and never failed for it, whatever the retry limit.
    /// </summary>
    Deferred,

    /// <summary>The upstream answered (<see cref="DeliveryResult.Outcome"/>: delivered to all, some or none).</summary>
    Sent,
}

/// <summary>
/// The result of one delivery attempt (chasquid's courier result): what happened, for a
/// <see cref="SettlementPolicy"/> to settle the message, and whether the run must stop after it (a client filter's
/// special exit, or an upstream session that broke).
/// </summary>
internal readonly record struct DeliveryResult(DeliveryStatus Status, bool StopRun = false)
{
    /// <summary>The upstream's answer, for <see cref="DeliveryStatus.Sent"/>.</summary>
    public SendOutcome? Outcome { get; init; }

    /// <summary>Why it failed, for the other kinds.</summary>
    public string Reason { get; init; } = "";

    /// <summary>The reply code for <see cref="DeliveryStatus.Failed"/> (0: none).</summary>
    public int Code { get; init; }

    /// <summary>
    /// For <see cref="DeliveryStatus.Failed"/> under <c>--immediate</c>: the SMTP client's reply when it is not made
    /// from <see cref="Reason"/> and <see cref="Code"/> (E-MailRelay's <c>452 rejected</c> and <c>452 routing failed</c>
    /// for a failing client or routing filter); null otherwise.
    /// </summary>
    public EmailRelay.Protocol.Smtp.SmtpReply? ClientReply { get; init; }

    /// <summary>A local failure.</summary>
    public static DeliveryResult Fail(string reason, int code = 0, bool stopRun = false) => new(DeliveryStatus.Failed, stopRun) { Reason = reason, Code = code };

    /// <summary>The upstream answered.</summary>
    public static DeliveryResult Sent(SendOutcome outcome, bool stopRun) => new(DeliveryStatus.Sent, stopRun) { Outcome = outcome };
}
