using EmailRelay.Protocol.Mail;

namespace EmailRelay.Spool;

/// <summary>
/// A message being received. Calling sequence: <see cref="WriteAsync"/> any number of times,
/// then <see cref="PrepareAsync"/> once, then <see cref="CommitAsync"/> at most once, then dispose.
/// Disposing without a successful commit removes the content and any <c>.envelope.new</c>
/// (RSET, a new MAIL, a protocol error, a disconnect, or a failing filter).
/// </summary>
public interface INewMessage : IAsyncDisposable
{
    /// <summary>The new message's id.</summary>
    MessageId Id { get; }

    /// <summary>Bytes written to the content so far.</summary>
    long ContentLength { get; }

    /// <summary>Appends content. May buffer. Throws <see cref="SpoolException"/> (e.g. disk full).</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the content and writes the envelope in its not-yet-committed state (<c>.envelope.new</c>),
    /// both flushed to stable storage. After this, a server filter may read and edit both files.
    /// </summary>
    ValueTask PrepareAsync(Envelope envelope, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes the message atomically (<c>.envelope.new</c> → <c>.envelope</c>, then the directory is
    /// synced, shared with concurrent commits). When this returns true the message survives a crash.
    /// Returns false if a filter already removed the envelope (the abandon case). Throws
    /// <see cref="SpoolException"/> on I/O failure.
    /// </summary>
    ValueTask<bool> CommitAsync(CancellationToken cancellationToken);

    /// <summary>The prepared message as a server filter sees it (valid after <see cref="PrepareAsync"/>, until commit or dispose).</summary>
    IFilterMessage AsFilterMessage();
}
