using EmailRelay.Protocol.Mail;

namespace EmailRelay.Protocol.Smtp.Server;

/// <summary>
/// One parsed command line. Only the fields of its verb are set. When the verb is known but its
/// arguments are malformed, <see cref="Error"/> holds the reply; the session sends it only once the
/// command is in sequence (E-MailRelay checks the state first).
/// </summary>
internal readonly record struct SmtpCommand
{
    /// <summary>The verb.</summary>
    public SmtpVerb Verb { get; init; }

    /// <summary>The argument error reply, if any (e.g. <c>553 mailbox name not allowed: ...</c>).</summary>
    public SmtpReply? Error { get; init; }

    /// <summary>The rest of the line after the verb, trimmed: the HELO/EHLO name, the VRFY or AUTH argument.</summary>
    public string Argument { get; init; }

    /// <summary>MAIL or RCPT: the address without angle brackets (empty for <c>&lt;&gt;</c>).</summary>
    public string Address { get; init; }

    /// <summary>MAIL or RCPT: the local part has non-ASCII characters.</summary>
    public bool HasUtf8LocalPart { get; init; }

    /// <summary>MAIL <c>SIZE=</c>, or -1 when absent.</summary>
    public long Size { get; init; }

    /// <summary>MAIL <c>BODY=</c>.</summary>
    public BodyType Body { get; init; }

    /// <summary>MAIL <c>AUTH=</c> (xtext as received), or empty.</summary>
    public string AuthParameter { get; init; }

    /// <summary>MAIL had the <c>SMTPUTF8</c> parameter.</summary>
    public bool SmtpUtf8 { get; init; }

    /// <summary>BDAT: the chunk size in octets.</summary>
    public long ChunkSize { get; init; }

    /// <summary>BDAT: the <c>LAST</c> keyword was given.</summary>
    public bool IsLast { get; init; }
}
