using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using EmailRelay.Spool;

namespace EmailRelay.Testing;

/// <summary>A message locked in a <see cref="MemorySpool"/>; disposing unlocks it.</summary>
internal sealed class MemorySpoolStoredMessage(MemorySpool spool, MessageId id, Envelope envelope) : IStoredMessage
{
    private bool _finished;

    public MessageId Id { get; } = id;

    public Envelope Envelope { get; private set; } = envelope;

    public DateTimeOffset LastAttempt => spool.GetLastAttempt(Id);

    public Stream OpenContent() => new MemoryStream(spool.GetContent(Id) ?? throw new SpoolException(Id, "no content"), writable: false);

    public ValueTask ReloadEnvelopeAsync(CancellationToken cancellationToken)
    {
        Envelope = spool.GetEnvelope(Id) ?? throw new SpoolException(Id, "no envelope");
        return ValueTask.CompletedTask;
    }

    public IFilterMessage AsFilterMessage() => new MemoryFilterMessage(spool, Id, null);

    public ValueTask DeleteAsync(CancellationToken cancellationToken)
    {
        EnsureOwned();
        _finished = true;
        spool.Remove(Id);
        return ValueTask.CompletedTask;
    }

    public ValueTask FailAsync(string reason, int reasonCode, CancellationToken cancellationToken)
        => Finish(reason, reasonCode, MemorySpool.EntryState.Failed);

    public ValueTask DeferAsync(string reason, int reasonCode, CancellationToken cancellationToken)
        => Finish(reason, reasonCode, MemorySpool.EntryState.Ready);

    public ValueTask ReplaceEnvelopeAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        EnsureOwned();
        Envelope = envelope;
        spool.Update(Id, entry => entry.Envelope = envelope);
        return ValueTask.CompletedTask;
    }

    public async ValueTask ReplaceContentAsync(Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        EnsureOwned();
        using var buffer = new MemoryStream();
        await write(buffer, cancellationToken);
        byte[] content = buffer.ToArray();
        spool.Update(Id, entry => entry.Content = content);
    }

    public ValueTask DisposeAsync()
    {
        if (!_finished)
        {
            _finished = true;
            spool.Update(Id, entry => entry.State = MemorySpool.EntryState.Ready);
            spool.OnChanged();
        }

        return ValueTask.CompletedTask;
    }

    private ValueTask Finish(string reason, int reasonCode, MemorySpool.EntryState state)
    {
        EnsureOwned();
        _finished = true;
        string lines = EnvelopeFormat.ReasonLines(reason, reasonCode, useLfLineEndings: true);
        Envelope = Envelope with { Trailer = [.. Envelope.Trailer, .. lines.Split('\n', StringSplitOptions.RemoveEmptyEntries)] };
        Envelope updated = Envelope;
        spool.Update(Id, entry =>
        {
            entry.Envelope = updated;
            entry.State = state;
            entry.LastAttempt = spool.Now;
        });
        if (state == MemorySpool.EntryState.Ready)
        {
            spool.OnChanged();
        }

        return ValueTask.CompletedTask;
    }

    private void EnsureOwned() => ObjectDisposedException.ThrowIf(_finished, this);
}
