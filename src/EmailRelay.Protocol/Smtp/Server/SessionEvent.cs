namespace EmailRelay.Protocol.Smtp.Server;

/// <summary>A loggable fact from a step; the session itself never logs.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Address">The address concerned, if any.</param>
/// <param name="Response">The reply text sent, if any.</param>
/// <param name="Reason">The detailed reason, if any.</param>
internal readonly record struct SessionEvent(SessionEventKind Kind, string Address, string Response, string Reason);
