using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Spool;

/// <summary>
/// One POP session's locked messages, numbered from 0 in listing order. Calling sequence: read
/// <see cref="Count"/>, <see cref="SizeOf"/>, <see cref="UidOf"/> and <see cref="OpenContent"/> freely;
/// then <see cref="DeleteAsync"/> at most once (QUIT), optionally <see cref="UnlockRestAsync"/>, and always
/// <see cref="DisposeAsync"/>, which finishes the deletes and unlocks every message not deleted (a disconnect without QUIT deletes nothing and leaves nothing locked).
/// </summary>
internal sealed class PopMaildrop : IAsyncDisposable
{
    private readonly PopStore _store;
    private readonly FileSpool _spool;
    private readonly List<Entry> _entries;
    private bool _disposed;

    internal PopMaildrop(PopStore store, FileSpool spool, List<Entry> entries)
    {
        _store = store;
        _spool = spool;
        _entries = entries;
    }

    /// <summary>The number of messages.</summary>
    public int Count => _entries.Count;

    /// <summary>The entries, in listing order (tests).</summary>
    internal IReadOnlyList<Entry> Entries => _entries;

    /// <summary>The content size of message <paramref name="index"/> in octets.</summary>
    public long SizeOf(int index) => _entries[index].Size;

    /// <summary>The UIDL value of message <paramref name="index"/>: its content file name.</summary>
    public string UidOf(int index) => _entries[index].Uid;

    /// <summary>
    /// Opens message <paramref name="index"/>'s content for positional reads (<see cref="RandomAccess"/>): a plain
    /// read-only descriptor, no stream and no advisory lock. The caller disposes it. Throws <see cref="SpoolException"/>.
    /// </summary>
    public SafeFileHandle OpenContent(int index)
    {
        var entry = _entries[index];
        return SpoolNative.OpenReadOnly(entry.ContentPath, out int errno)
            ?? throw new SpoolException(entry.Id, "cannot open content file: errno " + errno);
    }

    /// <summary>
    /// Removes the given messages (unless <c>--pop-no-delete</c>); true if every one was removed. A message is gone
    /// when this returns (its envelope is, and the directory is synced); its remaining files go in
    /// <see cref="DisposeAsync"/>, so the client need not wait for them.
    /// </summary>
    public async ValueTask<bool> DeleteAsync(IReadOnlyList<int> indexes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        if (_store.NoDelete)
        {
            return true;
        }

        var doomed = indexes.Distinct().Select(i => _entries[i]).Where(e => !e.Finished && !e.Deleted).ToList();
        await PopLocks.DeleteAsync(_spool, doomed);
        foreach (var entry in doomed.Where(e => e.Deleted && e.IsSharedContent))
        {
            _store.RemoveSharedContentIfUnnamed(entry.Id, entry.ContentPath);
        }

        return doomed.TrueForAll(e => e.Deleted);
    }

    /// <summary>Unlocks every message still held and not deleted (after QUIT's deletes, before its reply: the forwarder may then take them).</summary>
    public Task UnlockRestAsync() => PopLocks.UnlockAsync(_spool, _entries);

    /// <summary>Removes what is left of the deleted messages and unlocks every message still held.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await PopLocks.FinishDeletesAsync(_spool, _entries);
        }
        finally
        {
            await PopLocks.UnlockAsync(_spool, _entries);
        }
    }

    /// <summary>One listed message: held either by the batch lock (<see cref="Lock"/>) or, after a stale-lock recovery, by the spool (<see cref="Fallback"/>).</summary>
    internal sealed class Entry(MessageId id, string contentPath, long size)
    {
        /// <summary>The message id.</summary>
        public MessageId Id { get; } = id;

        /// <summary>The content file (the user directory's or, by name, the main spool's).</summary>
        public string ContentPath { get; } = contentPath;

        /// <summary>The content size.</summary>
        public long Size { get; } = size;

        /// <summary>The content file name.</summary>
        public string Uid { get; } = SpoolNames.FileName(id, SpoolFileKind.Content);

        /// <summary>The sidecar lock of a batch-locked message.</summary>
        public OwnerLock? Lock { get; init; }

        /// <summary>The message as the spool locked it (after recovering a dead owner's lock).</summary>
        public IStoredMessage? Fallback { get; init; }

        /// <summary>True if the content is the main spool's, shared with other users (by name).</summary>
        public bool IsSharedContent { get; init; }

        /// <summary>True once its envelope is removed: the message is gone, whatever of its files is still to be removed.</summary>
        public bool Deleted { get; set; }

        /// <summary>The deleted envelope's file, dirty in the spool's pool until the delete is finished (null without a pool).</summary>
        public string? RetiredEnvelope { get; set; }

        /// <summary>True once deleted or unlocked and cleaned up: nothing is held any more.</summary>
        public bool Finished { get; set; }
    }
}
