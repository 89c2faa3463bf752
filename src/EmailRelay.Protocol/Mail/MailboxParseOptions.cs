namespace EmailRelay.Protocol.Mail;

/// <summary>How <see cref="MailboxParser"/> reads a MAIL FROM or RCPT TO path (reference §g, <c>--server-smtp-config</c>).</summary>
/// <param name="RequireAngleBrackets"><c>strictparsing</c> (default on): a path without angle brackets is refused.</param>
/// <param name="ConvertToALabels"><c>alabels</c> (default on): a UTF-8 domain is converted to its IDNA A-label form.</param>
internal sealed record MailboxParseOptions(bool RequireAngleBrackets = true, bool ConvertToALabels = true)
{
    /// <summary>The E-MailRelay defaults: strict parsing and A-labels.</summary>
    public static MailboxParseOptions Default { get; } = new();
}
