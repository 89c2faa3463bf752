namespace EmailRelay.Spool;

/// <summary>
/// One POP session's locked messages, numbered from 0 in listing order. Calling sequence: read
/// <see cref="Count"/>, <see cref="SizeOf"/>, <see cref="UidOf"/> and <see cref="OpenContent"/> freely;
/// then <see cref="DeleteAsync"/> at most once (QUIT), and always <see cref="DisposeAsync"/>, which
/// unlocks every message not deleted (a disconnect without QUIT deletes nothing and leaves nothing locked).
/// </summary>
internal sealed class PopMaildrop : IAsyncDisposable
{
    private readonly PopStore _store;
    private readonly List<Entry> _entries;
    private bool _disposed;

    internal PopMaildrop(PopStore store, List<Entry> entries)
    {
        _store = store;
        _entries = entries;
    }

    /// <summary>The number of messages.</summary>
    public int Count => _entries.Count;

    /// <summary>The content size of message <paramref name="index"/> in octets.</summary>
    public long SizeOf(int index) => _entries[index].Size;

    /// <summary>The UIDL value of message <paramref name="index"/>: its content file name.</summary>
    public string UidOf(int index) => _entries[index].Uid;

    /// <summary>Opens message <paramref name="index"/>'s content for reading; the caller disposes the stream.</summary>
    public Stream OpenContent(int index) => _entries[index].Message.OpenContent();

    /// <summary>Removes the given messages (unless <c>--pop-no-delete</c>); true if every one was removed.</summary>
    public async ValueTask<bool> DeleteAsync(IReadOnlyList<int> indexes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        if (_store.NoDelete)
        {
            return true;
        }

        int failures = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = PopStore.LockParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(indexes.Distinct(), parallel, async (index, ct) =>
        {
            var entry = _entries[index];
            entry.Deleted = await _store.DeleteAsync(entry.Message, ct);
            if (!entry.Deleted)
            {
                Interlocked.Increment(ref failures);
            }
        });
        return failures == 0;
    }

    /// <summary>Unlocks every message still held.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var entry in _entries)
        {
            await entry.Message.DisposeAsync();
        }
    }

    /// <summary>One listed message.</summary>
    internal sealed class Entry(IStoredMessage message, long size, string uid)
    {
        /// <summary>The locked message.</summary>
        public IStoredMessage Message { get; } = message;

        /// <summary>The content size.</summary>
        public long Size { get; } = size;

        /// <summary>The content file name.</summary>
        public string Uid { get; } = uid;

        /// <summary>True once removed.</summary>
        public bool Deleted { get; set; }
    }
}
