namespace EmailRelay.Protocol.Pop3;

/// <summary>The POP3 commands the server knows (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH).</summary>
internal enum Pop3Verb
{
    /// <summary>Not a known command (or an empty line).</summary>
    Unknown,

    /// <summary><c>USER name</c>.</summary>
    User,

    /// <summary><c>PASS password</c> (the whole rest of the line, differences 11).</summary>
    Pass,

    /// <summary><c>APOP name digest</c>.</summary>
    Apop,

    /// <summary><c>AUTH [mechanism [initial-response]]</c>.</summary>
    Auth,

    /// <summary><c>STLS</c>.</summary>
    Stls,

    /// <summary><c>CAPA</c>.</summary>
    Capa,

    /// <summary><c>STAT</c>.</summary>
    Stat,

    /// <summary><c>LIST [n]</c>.</summary>
    List,

    /// <summary><c>UIDL [n]</c>.</summary>
    Uidl,

    /// <summary><c>RETR n</c>.</summary>
    Retr,

    /// <summary><c>TOP n m</c>.</summary>
    Top,

    /// <summary><c>DELE n</c>.</summary>
    Dele,

    /// <summary><c>RSET</c>.</summary>
    Rset,

    /// <summary><c>NOOP</c>.</summary>
    Noop,

    /// <summary><c>QUIT</c>.</summary>
    Quit,
}
