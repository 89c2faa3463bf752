namespace EmailRelay.Protocol.Smtp;

/// <summary>
/// What the SMTP server does with a bare CR or bare LF in DATA content (differences.md 7).
/// Under every policy the end of data is recognised only as <c>&lt;CRLF&gt;.&lt;CRLF&gt;</c>.
/// </summary>
internal enum BareNewlinePolicy
{
    /// <summary>The default: a bare CR or LF is stored as CRLF, so nothing downstream sees a bare line ending.</summary>
    Normalise,

    /// <summary>As <see cref="Normalise"/>, and the message is refused at the end of data
    /// (<c>--server-smtp-config=bare-newline-reject</c>, reply <c>550 5.5.2 bare CR or LF not allowed</c>).</summary>
    Reject,

    /// <summary>Bytes are stored exactly as received, as E-MailRelay does (<c>bare-newline-keep</c>).</summary>
    Keep,
}
