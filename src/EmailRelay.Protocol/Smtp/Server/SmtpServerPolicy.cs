namespace EmailRelay.Protocol.Smtp.Server;

/// <summary>
/// Every switch and limit the SMTP server session needs: <c>--domain</c>, <c>--anonymous</c>,
/// <c>--size</c>, <c>--server-smtp-config</c> items (reference §g), the client error limit and the
/// TLS and AUTH facts that shape the EHLO reply. Immutable; one instance serves every connection.
/// </summary>
internal sealed record SmtpServerPolicy
{
    /// <summary>The defaults: E-MailRelay's, with the domain <c>localhost</c>.</summary>
    public static SmtpServerPolicy Default { get; } = new();

    /// <summary><c>--domain</c>: the name in the greeting, EHLO reply and Received line.</summary>
    public string Domain { get; init; } = "localhost";

    /// <summary><c>--anonymous=vrfy</c>: VRFY is not advertised and gets <c>252 cannot vrfy</c>.</summary>
    public bool AnonymousVrfy { get; init; }

    /// <summary><c>--anonymous=server</c>: greeting <c>220 greeting</c>, EHLO <c>smtp says hello</c>.</summary>
    public bool AnonymousServer { get; init; }

    /// <summary><c>--anonymous=content</c>: no Received line.</summary>
    public bool AnonymousContent { get; init; }

    /// <summary><c>--size</c>: the maximum stored content in octets, Received line included; 0 means unlimited.</summary>
    public long MaxMessageSize { get; init; }

    /// <summary><c>pipelining</c> (on): advertise PIPELINING and batch replies (RFC 2920).</summary>
    public bool Pipelining { get; init; } = true;

    /// <summary><c>chunking</c> (off): BDAT, advertise CHUNKING and BINARYMIME (RFC 3030).</summary>
    public bool Chunking { get; init; }

    /// <summary><c>smtputf8</c> (off): advertise SMTPUTF8.</summary>
    public bool SmtpUtf8 { get; init; }

    /// <summary><c>smtputf8strict</c> (off): non-ASCII local parts need MAIL's SMTPUTF8 parameter.</summary>
    public bool SmtpUtf8Strict { get; init; }

    /// <summary><c>strictparsing</c> (on): MAIL and RCPT need angle brackets.</summary>
    public bool StrictParsing { get; init; } = true;

    /// <summary><c>alabels</c> (on): convert UTF-8 domains to A-labels in envelope addresses.</summary>
    public bool ALabels { get; init; } = true;

    /// <summary>What to do with a bare CR or LF in DATA (differences 7); normalise by default.</summary>
    public BareNewlinePolicy BareNewlines { get; init; } = BareNewlinePolicy.Normalise;

    /// <summary>Protocol errors before the connection is dropped: 8, E-MailRelay <c>client_error_limit</c>.</summary>
    public int ClientErrorLimit { get; init; } = 8;

    /// <summary>
    /// AUTH mechanisms to advertise, strongest first, before and after TLS. Empty (this issue):
    /// AUTH gets <c>502 command not implemented</c>.
    /// </summary>
    public IReadOnlyList<string> AuthMechanisms { get; init; } = [];

    /// <summary><c>--server-tls</c>: STARTTLS is offered.</summary>
    public bool TlsOffered { get; init; }

    /// <summary><c>--server-tls-required</c>: MAIL, VRFY and AUTH need TLS first.</summary>
    public bool TlsRequired { get; init; }

    /// <summary>False after admin <c>smtp disable</c>: greeting and MAIL get <c>421 service not available</c>.</summary>
    public bool Enabled { get; init; } = true;
}
