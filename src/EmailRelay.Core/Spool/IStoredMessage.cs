using EmailRelay.Protocol.Mail;

namespace EmailRelay.Spool;

/// <summary>
/// A committed message claimed exclusively by <see cref="IMessageSpool.TryLockAsync"/>.
/// Disposing it without <see cref="DeleteAsync"/> or <see cref="FailAsync"/> unlocks it
/// (returns it to the ready state).
/// </summary>
public interface IStoredMessage : IAsyncDisposable
{
    /// <summary>The message id.</summary>
    MessageId Id { get; }

    /// <summary>The envelope as last read.</summary>
    Envelope Envelope { get; }

    /// <summary>
    /// When the last delivery attempt was recorded (by <see cref="DeferAsync"/> or <see cref="FailAsync"/>; before
    /// any, when the message was committed), for retry back-off. E-MailRelay's file spool: the envelope's modification time.
    /// </summary>
    DateTimeOffset LastAttempt { get; }

    /// <summary>Opens the content for reading. The caller owns the stream.</summary>
    Stream OpenContent();

    /// <summary>Re-reads the envelope, after an external client filter may have edited it.</summary>
    ValueTask ReloadEnvelopeAsync(CancellationToken cancellationToken);

    /// <summary>Deletes the message (envelope first, then content).</summary>
    ValueTask DeleteAsync(CancellationToken cancellationToken);

    /// <summary>Appends Reason and ReasonCode lines and moves the message to the failed state (<c>.bad</c>).</summary>
    ValueTask FailAsync(string reason, int reasonCode, CancellationToken cancellationToken);

    /// <summary>
    /// Appends Reason and ReasonCode lines but returns the message to the ready state, for a
    /// transient failure to be retried later (differences.md 13).
    /// </summary>
    ValueTask DeferAsync(string reason, int reasonCode, CancellationToken cancellationToken);

    /// <summary>Replaces the envelope, durably, in one atomic step; <see cref="Envelope"/> is then the new one.</summary>
    ValueTask ReplaceEnvelopeAsync(Envelope envelope, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the content, durably, in one atomic step: <paramref name="write"/> writes the whole new content to the
    /// stream it is given; if it throws, the content is left as it was.
    /// </summary>
    ValueTask ReplaceContentAsync(Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken);

    /// <summary>
    /// The claimed message as a client filter sees it (valid while claimed); <see cref="ReloadEnvelopeAsync"/> after
    /// the filter picks up its changes.
    /// </summary>
    IFilterMessage AsFilterMessage();
}

/// <summary>Edits built on the verbs of <see cref="IStoredMessage"/>.</summary>
public static class StoredMessageEdits
{
    /// <summary>Rewrites the envelope's remote recipients, keeping everything else.</summary>
    public static ValueTask UpdateRecipientsAsync(this IStoredMessage message, IReadOnlyList<string> toRemote, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(toRemote);
        return message.ReplaceEnvelopeAsync(message.Envelope with { ToRemote = [.. toRemote] }, cancellationToken);
    }
}
