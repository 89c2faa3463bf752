namespace EmailRelay.Protocol.Pop3;

/// <summary>What the driver feeds the session next.</summary>
internal enum Pop3InputMode
{
    /// <summary>A command line, to <see cref="Pop3ServerSession.Handle"/>.</summary>
    Command,

    /// <summary>A SASL response line, to <see cref="Pop3ServerSession.HandleSaslResponse"/>.</summary>
    SaslResponse,

    /// <summary>Nothing: close the connection.</summary>
    Closed,
}
