using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using EmailRelay.Spool;

namespace EmailRelay.Testing;

/// <summary>
/// <see cref="IFilterMessage"/> over a <see cref="MemorySpool"/> entry: no files, no mailboxes. Copies are new
/// entries, ready when saved for a stored message, or when <paramref name="owner"/> commits for a new one.
/// </summary>
internal sealed class MemoryFilterMessage(MemorySpool spool, MessageId id, MemorySpoolNewMessage? owner) : IFilterMessage
{
    public MessageId Id { get; } = id;

    public ISpoolFiles? Files => null;

    private MemorySpool Spool => spool;

    private MemorySpoolNewMessage? Owner => owner;

    public string Location => "memory";

    public ValueTask<EnvelopeReadResult> ReadEnvelopeAsync(CancellationToken cancellationToken)
        => ValueTask.FromResult(spool.GetEnvelope(Id) is { } envelope
            ? new EnvelopeReadResult(envelope, null)
            : throw new IOException("no envelope for " + Id.Value));

    public ValueTask ReplaceEnvelopeAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        spool.Update(Id, entry => entry.Envelope = envelope);
        return ValueTask.CompletedTask;
    }

    public Stream OpenContent()
        => new MemoryStream(spool.GetContent(Id) ?? throw new IOException("no content for " + Id.Value), writable: false);

    public async ValueTask ReplaceContentAsync(Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var buffer = new MemoryStream();
        await write(buffer, cancellationToken);
        byte[] content = buffer.ToArray();
        spool.Update(Id, entry => entry.Content = content);
    }

    public ValueTask<IMessageCopy> CreateCopyAsync(CancellationToken cancellationToken)
        => ValueTask.FromResult<IMessageCopy>(new Copy(this, spool.AddPrepared(spool.GetContent(Id) ?? [])));

    public IReadOnlyList<string> ListMailboxes() => [];

    public ValueTask PlaceInMailboxAsync(string? directory, string mailbox, MailboxPlacement placement, CancellationToken cancellationToken)
        => throw new IOException("a memory spool has no mailboxes");

    public ValueTask RemoveAsync(bool keepContent, CancellationToken cancellationToken)
    {
        spool.Update(Id, entry =>
        {
            entry.EnvelopeRemoved = true;
            entry.ContentRemoved |= !keepContent;
        });
        return ValueTask.CompletedTask;
    }

    private sealed class Copy(MemoryFilterMessage message, MessageId id) : IMessageCopy
    {
        private bool _saved;

        public MessageId Id { get; } = id;

        public ValueTask SaveAsync(Envelope envelope, CancellationToken cancellationToken)
        {
            message.Spool.Update(Id, entry => entry.Envelope = envelope);
            if (message.Owner is { } owner)
            {
                owner.AddCopy(Id);
            }
            else
            {
                message.Spool.Publish(Id);
            }

            _saved = true;
            return ValueTask.CompletedTask;
        }

        public void Dispose()
        {
            if (!_saved)
            {
                message.Spool.Remove(Id);
            }
        }
    }
}
