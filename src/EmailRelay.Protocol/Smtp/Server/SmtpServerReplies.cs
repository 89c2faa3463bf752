namespace EmailRelay.Protocol.Smtp.Server;

/// <summary>
/// The server's fixed reply texts, word for word as E-MailRelay 2.6.1 sends them (reference §g),
/// pre-encoded once. Replies that embed an address or a count are built by the session.
/// </summary>
internal static class SmtpServerReplies
{
    /// <summary><c>220 greeting</c> (anonymous greeting).</summary>
    public static SmtpReply AnonymousGreeting { get; } = SmtpReply.Fixed(220, "greeting");

    /// <summary><c>421 service not available</c> (admin <c>smtp disable</c>).</summary>
    public static SmtpReply ServiceNotAvailable { get; } = SmtpReply.Fixed(421, "service not available");

    /// <summary><c>421 too many errors</c>: the client error limit was reached (our text; the original just drops the connection).</summary>
    public static SmtpReply TooManyErrors { get; } = SmtpReply.Fixed(421, "too many protocol errors -- closing connection");

    /// <summary><c>421 timeout</c>: the idle timeout expired (our text).</summary>
    public static SmtpReply Timeout { get; } = SmtpReply.Fixed(421, "timeout -- closing connection");

    /// <summary><c>421 shutting down</c>: the server is stopping (our text).</summary>
    public static SmtpReply ShuttingDown { get; } = SmtpReply.Fixed(421, "service shutting down -- closing connection");

    /// <summary><c>250 hello</c> (HELO).</summary>
    public static SmtpReply Hello { get; } = SmtpReply.Fixed(250, "hello");

    /// <summary><c>501 parameter required</c> (HELO/EHLO without a name).</summary>
    public static SmtpReply ParameterRequired { get; } = SmtpReply.Fixed(501, "parameter required");

    /// <summary><c>250 noop</c>.</summary>
    public static SmtpReply Noop { get; } = SmtpReply.Fixed(250, "noop");

    /// <summary><c>250 state reset</c>.</summary>
    public static SmtpReply StateReset { get; } = SmtpReply.Fixed(250, "state reset");

    /// <summary><c>502 command not implemented</c> (HELP, EXPN, AUTH without mechanisms).</summary>
    public static SmtpReply NotImplemented { get; } = SmtpReply.Fixed(502, "command not implemented");

    /// <summary><c>500 command unrecognized</c>.</summary>
    public static SmtpReply Unrecognized { get; } = SmtpReply.Fixed(500, "command unrecognized");

    /// <summary><c>500 line too long</c>: a command line over the limit was drained (differences 9; our text).</summary>
    public static SmtpReply LineTooLong { get; } = SmtpReply.Fixed(500, "line too long");

    /// <summary><c>503 command out of sequence -- use RSET to resynchronise</c>.</summary>
    public static SmtpReply OutOfSequence { get; } = SmtpReply.Fixed(503, "command out of sequence -- use RSET to resynchronise");

    /// <summary><c>552 message size exceeds fixed maximum message size</c>.</summary>
    public static SmtpReply TooBig { get; } = SmtpReply.Fixed(552, "message size exceeds fixed maximum message size");

    /// <summary><c>554 no valid recipients</c>.</summary>
    public static SmtpReply NoValidRecipients { get; } = SmtpReply.Fixed(554, "no valid recipients");

    /// <summary><c>354 start mail input -- end with &lt;CRLF&gt;.&lt;CRLF&gt;</c>.</summary>
    public static SmtpReply StartMailInput { get; } = SmtpReply.Fixed(354, "start mail input -- end with <CRLF>.<CRLF>");

    /// <summary><c>250 message processed</c>.</summary>
    public static SmtpReply MessageProcessed { get; } = SmtpReply.Fixed(250, "message processed");

    /// <summary>
    /// <c>451 transaction failed</c>: a local spool failure (permissions, I/O error). E-MailRelay says 554; a fault of
    /// ours is never permanent for the client (issue 23, README "Differences"), so the code is 451, local error.
    /// </summary>
    public static SmtpReply TransactionFailed { get; } = SmtpReply.Fixed(451, "transaction failed");

    /// <summary><c>452 insufficient system storage</c>: the spool disk is full (our text).</summary>
    public static SmtpReply DiskFull { get; } = SmtpReply.Fixed(452, "insufficient system storage");

    /// <summary><c>503 invalid data command with binarymime -- use RSET to resynchronise</c>.</summary>
    public static SmtpReply DataWithBinaryMime { get; } = SmtpReply.Fixed(503, "invalid data command with binarymime -- use RSET to resynchronise");

    /// <summary><c>501 invalid argument</c> (bad BDAT).</summary>
    public static SmtpReply InvalidArgument { get; } = SmtpReply.Fixed(501, "invalid argument");

    /// <summary><c>550 invalid mailbox</c> (VRFY without an argument).</summary>
    public static SmtpReply InvalidMailbox { get; } = SmtpReply.Fixed(550, "invalid mailbox");

    /// <summary><c>252 cannot vrfy</c> (anonymous VRFY).</summary>
    public static SmtpReply CannotVrfy { get; } = SmtpReply.Fixed(252, "cannot vrfy");

    /// <summary><c>221 OK</c> (QUIT).</summary>
    public static SmtpReply Quit { get; } = SmtpReply.Fixed(221, "OK");

    /// <summary><c>220 ready to start tls</c>.</summary>
    public static SmtpReply ReadyToStartTls { get; } = SmtpReply.Fixed(220, "ready to start tls");

    /// <summary><c>550 5.5.2 bare CR or LF not allowed</c> (differences 7, <c>bare-newline-reject</c>).</summary>
    public static SmtpReply BareNewline { get; } = SmtpReply.Fixed(550, "5.5.2 bare CR or LF not allowed");
}
