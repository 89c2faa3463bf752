namespace EmailRelay.Protocol.Smtp.Server;

/// <summary>Something the driver should log about a step.</summary>
internal enum SessionEventKind
{
    /// <summary>Nothing to log.</summary>
    None,

    /// <summary>MAIL FROM:&lt;&gt; was accepted (warning <c>empty MAIL-FROM return path</c>).</summary>
    EmptyReturnPath,

    /// <summary>A recipient was rejected (warning <c>rejecting recipient "&lt;addr&gt;": &lt;response&gt;: &lt;reason&gt;</c>).</summary>
    RecipientRejected,

    /// <summary>The message went over the size limit.</summary>
    MessageTooBig,

    /// <summary>The message had a bare CR or LF under <c>bare-newline-reject</c>.</summary>
    BareNewlineRejected,

    /// <summary>The client error limit was reached.</summary>
    ErrorLimitReached,

    /// <summary>The verifier asked for the connection to be dropped.</summary>
    VerifierAbort,

    /// <summary>AUTH succeeded: <c>Address</c> is the id, <c>Response</c> the mechanism.</summary>
    AuthSucceeded,

    /// <summary>AUTH failed (fail2ban <c>failed authentication</c>): <c>Address</c> is the id tried, <c>Response</c> the mechanism.</summary>
    AuthFailed,

    /// <summary>AUTH named a mechanism that is not advertised: <c>Reason</c> is the mechanism.</summary>
    AuthNotAdvertised,
}
