namespace EmailRelay.Protocol.Pop3;

/// <summary>
/// Work the driver does for the session. After running it the driver calls the matching completion
/// (<see cref="Pop3ServerSession.MailboxOpened"/>, <see cref="Pop3ServerSession.Retrieved"/>,
/// <see cref="Pop3ServerSession.TlsEstablished"/>, <see cref="Pop3ServerSession.Updated"/>).
/// </summary>
internal abstract record Pop3Operation
{
    private Pop3Operation()
    {
    }

    /// <summary>Authentication succeeded as <paramref name="User"/>: lock and list the maildrop.</summary>
    /// <param name="User">The authenticated id.</param>
    public sealed record OpenMailbox(string User) : Pop3Operation;

    /// <summary>Write message <paramref name="Index"/> (0-based) dot-stuffed, then the terminating dot; <paramref name="BodyLines"/> &lt; 0 for all of it (RETR), else TOP's line count.</summary>
    /// <param name="Index">The 0-based message index.</param>
    /// <param name="BodyLines">Body lines for TOP, or -1 for RETR.</param>
    public sealed record Retrieve(int Index, int BodyLines) : Pop3Operation;

    /// <summary>Flush, check nothing is buffered (differences 8), then the TLS handshake.</summary>
    public sealed record StartTls : Pop3Operation;

    /// <summary>QUIT in the transaction state: remove <paramref name="Deleted"/> (0-based), then release the maildrop.</summary>
    /// <param name="Deleted">The marked messages.</param>
    public sealed record Update(IReadOnlyList<int> Deleted) : Pop3Operation;

    /// <summary>Flush and close the connection.</summary>
    public sealed record Close : Pop3Operation;
}
