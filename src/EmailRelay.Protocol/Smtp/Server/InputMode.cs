namespace EmailRelay.Protocol.Smtp.Server;

/// <summary>What the driver must feed the session next.</summary>
internal enum InputMode
{
    /// <summary>Command lines: <see cref="SmtpServerSession.Handle"/>.</summary>
    Command,

    /// <summary>SASL response lines (AUTH; a later issue).</summary>
    SaslResponse,

    /// <summary>DATA content up to <c>&lt;CRLF&gt;.&lt;CRLF&gt;</c>, then <see cref="SmtpServerSession.DataCompleted"/>.</summary>
    Data,

    /// <summary>Exactly <see cref="SmtpServerSession.ChunkSize"/> raw octets (BDAT), then <see cref="SmtpServerSession.DataCompleted"/>.</summary>
    Chunk,

    /// <summary>The session is over; close the connection.</summary>
    Closed,
}
