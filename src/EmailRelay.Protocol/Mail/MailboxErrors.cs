namespace EmailRelay.Protocol.Mail;

/// <summary>
/// The reason texts of a malformed MAIL or RCPT path, as E-MailRelay words them (reference §g).
/// MAIL sends <c>553 mailbox name not allowed: &lt;reason&gt;</c>, RCPT sends <c>550 &lt;reason&gt;</c>.
/// </summary>
internal static class MailboxErrors
{
    /// <summary>No <c>&lt;</c>…<c>&gt;</c> around the path under strict parsing, or an unclosed bracket.</summary>
    public const string MissingAngleBrackets = "missing angle brackets in mailbox name";

    /// <summary>An empty path where a mailbox is required (<c>RCPT TO:&lt;&gt;</c>).</summary>
    public const string EmptyMailbox = "invalid empty mailbox";

    /// <summary>A character not allowed in a mailbox, a malformed domain or address literal, or invalid UTF-8.</summary>
    public const string InvalidCharacter = "invalid character in mailbox name";

    /// <summary>A malformed quoted local part: unterminated, a dangling backslash, or a quote inside an atom.</summary>
    public const string InvalidQuoting = "invalid quoting";
}
