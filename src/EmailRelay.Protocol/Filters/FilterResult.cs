namespace EmailRelay.Protocol.Filters;

/// <summary>
/// What a filter decided about one message. <see cref="Special"/> is E-MailRelay's extra flag:
/// "rescan" on the server side, "stop scanning" on the client side.
/// </summary>
/// <param name="Outcome">Ok, abandon or fail.</param>
/// <param name="Special">Rescan (server side) or stop scanning (client side).</param>
/// <param name="Response">Terse text for the peer, e.g. <c>rejected</c>; empty when ok.</param>
/// <param name="ResponseCode">A 4xx/5xx code taken from the response, or 0 for the default (452 server side).</param>
/// <param name="Reason">Detailed text for the log and the envelope's Reason line.</param>
public readonly record struct FilterResult(FilterOutcome Outcome, bool Special, string Response, int ResponseCode, string Reason)
{
    /// <summary>A plain ok result.</summary>
    public static FilterResult Ok { get; } = new(FilterOutcome.Ok, false, "", 0, "");
}
