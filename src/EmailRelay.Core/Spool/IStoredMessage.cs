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

    /// <summary>Rewrites the envelope's remote recipients, keeping everything else.</summary>
    ValueTask UpdateRecipientsAsync(IReadOnlyList<string> toRemote, CancellationToken cancellationToken);
}
