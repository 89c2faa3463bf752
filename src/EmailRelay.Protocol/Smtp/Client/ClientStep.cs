namespace EmailRelay.Protocol.Smtp.Client;

/// <summary>One instruction from <see cref="SmtpClientSession"/> to its driver.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Commands">For <see cref="ClientStepKind.Send"/>: the command lines, each ending in CRLF, to write in one write.</param>
/// <param name="Outcome">For <see cref="ClientStepKind.Ready"/> (and a broken session): the result of the message in hand.</param>
/// <param name="Error">For <see cref="ClientStepKind.Close"/> on a broken session: the error text, e.g. <c>unexpected response</c>.</param>
/// <param name="LogText">For <see cref="ClientStepKind.Send"/> of secrets (AUTH lines and SASL responses): what to log instead of <see cref="Commands"/>.</param>
internal readonly record struct ClientStep(ClientStepKind Kind, string Commands = "", SendOutcome? Outcome = null, string? Error = null, string? LogText = null)
{
    /// <summary>Whether the session broke (the connection must be dropped).</summary>
    public bool IsBroken => Kind == ClientStepKind.Close && Error is not null;
}
