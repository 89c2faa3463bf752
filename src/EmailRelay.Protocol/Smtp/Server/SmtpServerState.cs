namespace EmailRelay.Protocol.Smtp.Server;

/// <summary>The server session's protocol state (RFC 5321 §4.1.4 ordering).</summary>
internal enum SmtpServerState
{
    /// <summary>Greeted, no HELO/EHLO yet (also right after TLS is established).</summary>
    Connected,

    /// <summary>HELO/EHLO done, no transaction.</summary>
    Ready,

    /// <summary>MAIL accepted; RCPT commands, then DATA or BDAT.</summary>
    Mail,

    /// <summary>Receiving DATA content.</summary>
    Data,

    /// <summary>Inside a BDAT sequence (a chunk, or between chunks).</summary>
    Chunking,

    /// <summary>QUIT, the error limit, or a verifier abort: nothing more is read.</summary>
    Closed,
}
