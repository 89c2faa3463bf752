namespace EmailRelay.Protocol.Pop3;

/// <summary>Something for the driver to log (the session never logs).</summary>
internal enum Pop3Event
{
    /// <summary>Nothing.</summary>
    None,

    /// <summary>A login succeeded (the user is <see cref="Pop3ServerSession.User"/>).</summary>
    Authenticated,

    /// <summary>A login failed.</summary>
    AuthenticationFailed,

    /// <summary>Too many failed logins: the connection closes.</summary>
    AuthFailureLimit,
}
