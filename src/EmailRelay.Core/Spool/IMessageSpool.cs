using EmailRelay.Protocol.Mail;

namespace EmailRelay.Spool;

/// <summary>
/// A spool of messages: the four verbs every backend implements (the default is
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

    /// <summary>Returns every failed message to the ready state; the result is how many.</summary>
    ValueTask<int> UnfailAllAsync(CancellationToken cancellationToken);

    /// <summary>Raised after a message is committed or returned to the ready state.</summary>
    event EventHandler? Changed;
}
