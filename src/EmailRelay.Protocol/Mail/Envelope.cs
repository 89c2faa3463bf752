namespace EmailRelay.Protocol.Mail;

/// <summary>
/// The backend-neutral message envelope every layer shares: what the SMTP server learned about a
/// message, and what the forwarder and POP need. <c>Storage/EnvelopeFormat</c> maps it to and
/// from E-MailRelay's <c>#2821.N</c> envelope file byte for byte.
/// </summary>
/// <remarks>
/// Values are held decoded: <see cref="Authentication"/> is the plain SASL id (the file holds it
/// as xtext). <see cref="MailFromAuthIn"/> and <see cref="MailFromAuthOut"/> are held exactly as
/// the file holds them (already xtext, e.g. <c>+</c> for <c>AUTH=&lt;&gt;</c>).
/// </remarks>
public sealed record Envelope
{
    /// <summary>The MAIL <c>BODY=</c> type (<c>X-MailRelay-Content</c>).</summary>
    public BodyType Body { get; init; } = BodyType.Unknown;

    /// <summary>The envelope sender without angle brackets; empty for <c>&lt;&gt;</c>.</summary>
    public string From { get; init; } = "";

    /// <summary>Local recipients: the mailbox names given by the address verifier (<c>To-Local</c>).</summary>
    public IReadOnlyList<string> ToLocal { get; init; } = [];

    /// <summary>Remote recipients as stored and forwarded (<c>To-Remote</c>).</summary>
    public IReadOnlyList<string> ToRemote { get; init; } = [];

    /// <summary>The authenticated SASL id on the SMTP server, decoded; empty if none.</summary>
    public string Authentication { get; init; } = "";

    /// <summary>The peer IP address without the port, e.g. <c>127.0.0.1</c>.</summary>
    public string ClientAddress { get; init; } = "";

    /// <summary>The client's TLS certificate in PEM with LF line breaks (unfolded); empty if none.</summary>
    public string ClientCertificate { get; init; } = "";

    /// <summary>The incoming MAIL <c>AUTH=</c> value, xtext as received; empty if none.</summary>
    public string MailFromAuthIn { get; init; } = "";

    /// <summary>Override for the outgoing MAIL <c>AUTH=</c> value (xtext); empty means the default policy.</summary>
    public string MailFromAuthOut { get; init; } = "";

    /// <summary>Routing hint, usually a domain (written by <c>split:</c>).</summary>
    public string ForwardTo { get; init; } = "";

    /// <summary>Next-hop <c>host:port</c> override (written by <c>mx:</c> or user filters).</summary>
    public string ForwardToAddress { get; init; } = "";

    /// <summary>Selects a client-auth secret by its fifth field.</summary>
    public string ClientAccountSelector { get; init; } = "";

    /// <summary>Whether forwarding needs SMTPUTF8 (a non-ASCII local part in the sender or a remote recipient).</summary>
    public bool Utf8MailboxNames { get; init; }

    /// <summary>
    /// The lines after <c>X-MailRelay-End</c>, without line endings, kept verbatim when the envelope is
    /// rewritten (<c>X-MailRelay-Reason</c>, <c>X-MailRelay-ReasonCode</c>, <c>X-MailRelay-SplitGroup*</c>).
    /// </summary>
    public IReadOnlyList<string> Trailer { get; init; } = [];

    /// <summary>
    /// True if the file this envelope was read from used LF-only line endings; lines later appended to
    /// that file use the same ending (E-MailRelay compat). Envelopes the relay writes use CRLF.
    /// </summary>
    public bool UsesLfLineEndings { get; init; }
}
