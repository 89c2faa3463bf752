namespace EmailRelay.Protocol.Smtp.Client;

/// <summary>
/// The result of sending one message (reference §i failure table with differences 5 and 13).
/// </summary>
/// <param name="Delivered">Whether the server accepted the message for at least one recipient.</param>
/// <param name="Undelivered">The recipients that did not receive it (empty when all did).</param>
/// <param name="Reason">The Reason text for the envelope; empty on full success.</param>
/// <param name="ReasonCode">The reply code that failed it, or 0.</param>
/// <param name="Transient">Whether the failure is temporary (a 4xx), to be retried.</param>
internal sealed record SendOutcome(bool Delivered, IReadOnlyList<string> Undelivered, string Reason, int ReasonCode, bool Transient)
{
    /// <summary>Full success.</summary>
    public static SendOutcome Sent { get; } = new(true, [], "", 0, false);

    /// <summary>Whether every recipient received the message.</summary>
    public bool IsComplete => Delivered && Undelivered.Count == 0;

    /// <summary>A failure for all recipients.</summary>
    /// <param name="recipients">All the message's recipients.</param>
    /// <param name="reason">The reason.</param>
    /// <param name="code">The failing code.</param>
    /// <returns>The outcome.</returns>
    public static SendOutcome Failed(IReadOnlyList<string> recipients, string reason, int code) =>
        new(false, recipients, reason, code, code is >= 400 and < 500);
}
