using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;

namespace EmailRelay.Spool;

/// <summary>
/// A message as a filter sees it (reference §c): the prepared new message for <c>--filter</c>, or the claimed stored
/// message for <c>--client-filter</c>. Built-in filters read and change the message only through these verbs; only
/// an external program or a network filter, whose protocol is the file paths, is given <see cref="Files"/>.
/// Every change is durable and atomic when it returns: a crash leaves the old state or the new one. Failures are
/// thrown as <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>.
/// </summary>
public interface IFilterMessage
{
    /// <summary>The message id.</summary>
    MessageId Id { get; }

    /// <summary>The message's files, for an external filter's command line; null for a spool without files.</summary>
    ISpoolFiles? Files { get; }

    /// <summary>Where the message is stored, for log lines (a file spool: its directory).</summary>
    string Location { get; }

    /// <summary>Reads the envelope as it is now (an earlier filter in the chain may have changed it).</summary>
    ValueTask<EnvelopeReadResult> ReadEnvelopeAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the envelope.</summary>
    ValueTask ReplaceEnvelopeAsync(Envelope envelope, CancellationToken cancellationToken);

    /// <summary>Opens the content for reading; the caller owns the stream.</summary>
    Stream OpenContent();

    /// <summary>
    /// Replaces the content: <paramref name="write"/> writes the whole new content to the stream it is given; if it
    /// throws, the content is left as it was. Other messages sharing the old content (<c>split:</c>, <c>copy:</c>) keep it.
    /// </summary>
    ValueTask ReplaceContentAsync(Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken);

    /// <summary>
    /// A new message with a new id and this message's content (<c>split:</c>). After <see cref="IMessageCopy.SaveAsync"/>
    /// it becomes ready together with this message: at once for a stored message, at this message's commit for a new
    /// one (and it is removed if this one is not committed). Disposing a copy that was not saved removes it.
    /// </summary>
    ValueTask<IMessageCopy> CreateCopyAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The names of the mailboxes in the spool (<c>copy:</c>): its subdirectories, except <c>postmaster</c> and dot
    /// names, in byte-wise order.
    /// </summary>
    IReadOnlyList<string> ListMailboxes();

    /// <summary>
    /// Places a copy of the message in a mailbox (<c>copy:</c>, <c>deliver:</c>): <paramref name="mailbox"/> under
    /// <paramref name="directory"/>, or under the spool when that is null. A maildir (with <c>tmp</c>, <c>cur</c> and
    /// <c>new</c>) gets the content alone in <c>new/</c>; any other mailbox gets <c>&lt;id&gt;.envelope</c> and,
    /// unless <see cref="MailboxPlacement.EnvelopeOnly"/>, <c>&lt;id&gt;.content</c>. Durable when it returns.
    /// </summary>
    ValueTask PlaceInMailboxAsync(string? directory, string mailbox, MailboxPlacement placement, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the message from the spool, because a filter has taken it (the filter's result is then abandon):
    /// the envelope, and the content unless <paramref name="keepContent"/> (<c>pop</c>: mailboxes refer to it).
    /// </summary>
    ValueTask RemoveAsync(bool keepContent, CancellationToken cancellationToken);
}

/// <summary>How <see cref="IFilterMessage.PlaceInMailboxAsync"/> places a message.</summary>
[Flags]
public enum MailboxPlacement
{
    /// <summary>Copy the envelope and the content.</summary>
    None = 0,

    /// <summary>Copy only the envelope; the content stays in the spool for <c>--pop-by-name</c>.</summary>
    EnvelopeOnly = 1,

    /// <summary>Hard-link the content instead of copying it.</summary>
    HardLink = 2,

    /// <summary>Create the mailbox directory when it is missing.</summary>
    Create = 4,
}

/// <summary>A copy made by <see cref="IFilterMessage.CreateCopyAsync"/>.</summary>
public interface IMessageCopy : IDisposable
{
    /// <summary>The copy's id.</summary>
    MessageId Id { get; }

    /// <summary>Writes the copy's envelope; see <see cref="IFilterMessage.CreateCopyAsync"/> for when it becomes ready.</summary>
    ValueTask SaveAsync(Envelope envelope, CancellationToken cancellationToken);
}
