namespace EmailRelay.Protocol.Mail;

/// <summary>The outcome of <see cref="MailboxParser.Parse"/>.</summary>
/// <param name="Success">True if the path was well formed.</param>
/// <param name="Address">On success the mailbox without angle brackets or source route, with a quoted
/// local part kept as received and the domain in A-label form when asked; "" for the null path <c>&lt;&gt;</c>.
/// Empty on failure.</param>
/// <param name="HasUtf8LocalPart">True if the local part contains non-ASCII (UTF-8) characters.</param>
/// <param name="ParametersStart">Index in the parsed text where ESMTP parameters begin (after the
/// whitespace that follows the path), or the text's length if there are none.</param>
/// <param name="Error">On failure the reason text, word for word as E-MailRelay sends it; empty on success.</param>
internal readonly record struct MailboxParseResult(bool Success, string Address, bool HasUtf8LocalPart, int ParametersStart, string Error)
{
    /// <summary>A failed parse with the given reason.</summary>
    public static MailboxParseResult Fail(string error) => new(false, string.Empty, false, 0, error);
}
