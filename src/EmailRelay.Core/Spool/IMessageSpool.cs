using EmailRelay.Protocol.Mail;

namespace EmailRelay.Spool;

/// <summary>
/// A spool of messages: the verbs every backend implements (the default is
/// <c>FileSpool</c>, byte-compatible with E-MailRelay; tests use <c>MemorySpool</c>).
/// </summary>
/// <remarks>
/// Calling sequence for a new message (the SMTP path, reference §b "How a message is added"):
/// <see cref="CreateAsync"/> when MAIL is accepted → <see cref="INewMessage.WriteAsync"/> for each
/// piece of content → <see cref="INewMessage.PrepareAsync"/> at end of data (content and
/// <c>.envelope.new</c> on stable storage) → the server filter runs → <see cref="INewMessage.CommitAsync"/>
/// (the message is durable and visible), or dispose without commit to remove everything.
/// For a stored message: <see cref="ListAsync"/> → <see cref="TryLockAsync"/> → use it → delete,
/// fail, or dispose (unlock).
/// </remarks>
public interface IMessageSpool
{
    /// <summary>Allocates a new id and creates its empty content. Throws <see cref="SpoolException"/> on I/O failure.</summary>
    ValueTask<INewMessage> CreateAsync(CancellationToken cancellationToken);

    /// <summary>Lists the ids in one state, in byte-wise lexical order of their names.</summary>
    IAsyncEnumerable<MessageId> ListAsync(SpoolView view, CancellationToken cancellationToken);

    /// <summary>
    /// Claims a ready message exclusively (E-MailRelay: rename <c>.envelope</c> to <c>.envelope.busy</c>).
    /// Returns null if it is gone or another owner holds it. Throws <see cref="SpoolException"/> if the
    /// envelope cannot be read (after unlocking it again).
    /// </summary>
    ValueTask<IStoredMessage?> TryLockAsync(MessageId id, CancellationToken cancellationToken);

    /// <summary>A new, empty group for claiming many messages at once under one owner (a POP session).</summary>
    IClaimGroup CreateClaimGroup();

    /// <summary>Returns every failed message to the ready state; the result is how many.</summary>
    ValueTask<int> UnfailAllAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Puts back what dead owners held (claimed messages return to the ready state) and removes what they left half
    /// made; never touches a message whose owner is alive, so it may run at any time and in any of the relay's modes.
    /// The result is how many messages were recovered or removed; when it returns, their state is durable.
    /// </summary>
    ValueTask<int> RecoverAsync(CancellationToken cancellationToken);

    /// <summary>Raised after a message is committed or returned to the ready state.</summary>
    event EventHandler? Changed;
}
