namespace EmailRelay.Protocol.Smtp.Server;

/// <summary>The SMTP command verbs the server knows (RFC 5321 §4.1, RFC 3030, RFC 3207, RFC 4954).</summary>
internal enum SmtpVerb
{
    /// <summary>Not a known verb: <c>500 command unrecognized</c>.</summary>
    Unknown,

    /// <summary><c>HELO</c>.</summary>
    Helo,

    /// <summary><c>EHLO</c>.</summary>
    Ehlo,

    /// <summary><c>MAIL FROM:</c>.</summary>
    Mail,

    /// <summary><c>RCPT TO:</c>.</summary>
    Rcpt,

    /// <summary><c>DATA</c>.</summary>
    Data,

    /// <summary><c>BDAT n [LAST]</c> (RFC 3030).</summary>
    Bdat,

    /// <summary><c>RSET</c>.</summary>
    Rset,

    /// <summary><c>NOOP</c>.</summary>
    Noop,

    /// <summary><c>QUIT</c>.</summary>
    Quit,

    /// <summary><c>VRFY</c>.</summary>
    Vrfy,

    /// <summary><c>EXPN</c>.</summary>
    Expn,

    /// <summary><c>HELP</c>.</summary>
    Help,

    /// <summary><c>AUTH</c> (RFC 4954).</summary>
    Auth,

    /// <summary><c>STARTTLS</c> (RFC 3207).</summary>
    StartTls,
}
