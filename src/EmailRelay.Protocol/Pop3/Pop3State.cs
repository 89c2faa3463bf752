namespace EmailRelay.Protocol.Pop3;

/// <summary>The RFC 1939 §3 session states.</summary>
internal enum Pop3State
{
    /// <summary>Before a successful login.</summary>
    Authorization,

    /// <summary>Logged in: the maildrop is open.</summary>
    Transaction,

    /// <summary>QUIT in the transaction state: marked messages are being removed.</summary>
    Update,

    /// <summary>The session is over.</summary>
    Closed,
}
