namespace EmailRelay.Protocol.Smtp.Server;

/// <summary>
/// The result of feeding the session one input: up to two replies to write (an error and, at the
/// error limit, the closing 421), whether they must be flushed now, at most one pending operation,
/// whether the current spool message is finished (dispose it: without a commit that removes it),
/// the Received line to write first when content starts, and an event to log.
/// </summary>
internal readonly record struct SessionStep
{
    /// <summary>The first reply, if any.</summary>
    public SmtpReply? Reply { get; init; }

    /// <summary>A second reply (the 421 at the error limit), if any.</summary>
    public SmtpReply? FinalReply { get; init; }

    /// <summary>True if the replies must be flushed now; false if they may stay batched (RFC 2920 §3.2).</summary>
    public bool Flush { get; init; }

    /// <summary>The operation to run, then <see cref="SmtpServerSession.Complete"/>; null if none.</summary>
    public SessionOperation? Operation { get; init; }

    /// <summary>The transaction is over: dispose the current spool message (if any) before anything else.</summary>
    public bool EndsMessage { get; init; }

    /// <summary>At DATA or the first BDAT: the Received line (with CRLF) to write as the first content; null if none.</summary>
    public byte[]? ContentPrefix { get; init; }

    /// <summary>What to log.</summary>
    public SessionEvent Event { get; init; }

    /// <summary>The replies in order.</summary>
    public IEnumerable<SmtpReply> Replies
    {
        get
        {
            if (Reply is { } first)
            {
                yield return first;
            }

            if (FinalReply is { } second)
            {
                yield return second;
            }
        }
    }
}
