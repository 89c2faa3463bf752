using EmailRelay.Protocol.Mail;

namespace EmailRelay.Spool;

/// <summary>
/// Messages claimed together by one owner, a POP session (differences 4): claim, delete and release for many
/// messages at once, at a cost in descriptors and memory per message that does not depend on how many there are.
/// Calling sequence: <see cref="SizesAsync"/> and <see cref="ClaimAsync"/> (in any number of calls, from one caller
/// at a time); <see cref="OpenContent"/> of a claimed message; <see cref="DeleteAsync"/>; <see cref="ReleaseAllAsync"/>;
/// always <see cref="IAsyncDisposable.DisposeAsync"/>, which finishes the deletes and releases whatever is still claimed
/// (a session that ends without QUIT deletes nothing and leaves nothing claimed).
/// </summary>
public interface IClaimGroup : IAsyncDisposable
{
    /// <summary>The content size in octets of each listed message (0 for one that has gone).</summary>
    ValueTask<long[]> SizesAsync(IReadOnlyList<MessageId> ids, CancellationToken cancellationToken);

    /// <summary>
    /// Claims each ready message, in order, exclusively for this group, as <see cref="IMessageSpool.TryLockAsync"/> would
    /// (a dead owner's claim is recovered first); the result says which this group now holds (the others are gone or
    /// another live owner's).
    /// </summary>
    ValueTask<bool[]> ClaimAsync(IReadOnlyList<MessageId> ids, CancellationToken cancellationToken);

    /// <summary>Opens a claimed message's content for reading; the caller disposes it. Throws <see cref="SpoolException"/>.</summary>
    Stream OpenContent(MessageId id);

    /// <summary>
    /// Deletes claimed messages; the result says which were. When it returns the deletions are durable; what is left of
    /// their files goes later (at the latest when the group is disposed), as nobody can see them any more.
    /// </summary>
    ValueTask<bool[]> DeleteAsync(IReadOnlyList<MessageId> ids, CancellationToken cancellationToken);

    /// <summary>Returns every message still claimed and not deleted to the ready state; durable when it returns.</summary>
    ValueTask ReleaseAllAsync(CancellationToken cancellationToken);
}
