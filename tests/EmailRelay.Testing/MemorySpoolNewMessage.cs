using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;

namespace EmailRelay.Testing;

/// <summary>A message being received into a <see cref="MemorySpool"/>.</summary>
internal sealed class MemorySpoolNewMessage(MemorySpool spool, MessageId id) : INewMessage
{
    private readonly MemoryStream _content = new();
    private bool _prepared;
    private bool _finished;
    private List<MessageId>? _copies;

    public MessageId Id { get; } = id;

    public long ContentLength => _content.Length;

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_prepared || _finished)
        {
            throw new InvalidOperationException("the content is closed");
        }

        if (spool.SimulateDiskFull)
        {
            spool.Remove(Id);
            _finished = true;
            throw new SpoolException(Id, "no space left on device") { IsDiskFull = true };
        }

        _content.Write(data.Span);
        return ValueTask.CompletedTask;
    }

    public ValueTask PrepareAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        if (_prepared || _finished)
        {
            throw new InvalidOperationException("already prepared");
        }

        _prepared = true;
        byte[] content = _content.ToArray();
        spool.Update(Id, entry =>
        {
            entry.Content = content;
            entry.Envelope = envelope;
            entry.State = MemorySpool.EntryState.Prepared;
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> CommitAsync(CancellationToken cancellationToken)
    {
        if (!_prepared || _finished)
        {
            throw new InvalidOperationException("commit needs a prepared, uncommitted message");
        }

        _finished = true;
        bool committed = false;
        spool.Update(Id, entry =>
        {
            if (!entry.EnvelopeRemoved)
            {
                entry.State = MemorySpool.EntryState.Ready;
                entry.LastAttempt = spool.Now;
                committed = true;
            }
        });
        if (!committed)
        {
            spool.Remove(Id);
            RemoveCopies();
            return ValueTask.FromResult(false);
        }

        foreach (MessageId copy in _copies ?? [])
        {
            spool.Publish(copy);
        }

        spool.OnChanged();
        return ValueTask.FromResult(true);
    }

    public ValueTask DisposeAsync()
    {
        if (!_finished)
        {
            _finished = true;
            spool.Remove(Id);
            RemoveCopies();
        }

        return ValueTask.CompletedTask;
    }

    public IFilterMessage AsFilterMessage() => new MemoryFilterMessage(spool, Id, this);

    /// <summary>Takes a filter's saved copy, ready when this message is committed and removed otherwise.</summary>
    internal void AddCopy(MessageId id) => (_copies ??= []).Add(id);

    private void RemoveCopies()
    {
        foreach (MessageId copy in _copies ?? [])
        {
            spool.Remove(copy);
        }
    }
}
