using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;

namespace EmailRelay.Testing;

/// <summary>A <see cref="MemorySpool"/>'s claim group: each claim is the spool's exclusive lock, so the same POP code runs over it.</summary>
internal sealed class MemoryClaimGroup(MemorySpool spool) : IClaimGroup
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);

    public ValueTask<long[]> SizesAsync(IReadOnlyList<MessageId> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return ValueTask.FromResult(ids.Select(id => (long)(spool.GetContent(id)?.Length ?? 0)).ToArray());
    }

    public ValueTask<bool[]> ClaimAsync(IReadOnlyList<MessageId> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var claimed = new bool[ids.Count];
        for (int i = 0; i < ids.Count; i++)
        {
            claimed[i] = spool.TryClaim(ids[i]);
            if (claimed[i])
            {
                lock (_gate)
                {
                    _held.Add(ids[i].Value);
                }
            }
        }

        return ValueTask.FromResult(claimed);
    }

    public Stream OpenContent(MessageId id)
    {
        lock (_gate)
        {
            if (!_held.Contains(id.Value))
            {
                throw new SpoolException(id, "not claimed");
            }
        }

        return new MemoryStream(spool.GetContent(id) ?? throw new SpoolException(id, "no content"), writable: false);
    }

    public ValueTask<bool[]> DeleteAsync(IReadOnlyList<MessageId> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var deleted = new bool[ids.Count];
        for (int i = 0; i < ids.Count; i++)
        {
            lock (_gate)
            {
                deleted[i] = _held.Remove(ids[i].Value);
            }

            if (deleted[i])
            {
                spool.Remove(ids[i]);
            }
        }

        return ValueTask.FromResult(deleted);
    }

    public ValueTask ReleaseAllAsync(CancellationToken cancellationToken)
    {
        string[] held;
        lock (_gate)
        {
            held = [.. _held];
            _held.Clear();
        }

        foreach (string id in held)
        {
            spool.Update(new MessageId(id), entry => entry.State = MemorySpool.EntryState.Ready);
        }

        if (held.Length > 0)
        {
            spool.OnChanged();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ReleaseAllAsync(CancellationToken.None);
}
