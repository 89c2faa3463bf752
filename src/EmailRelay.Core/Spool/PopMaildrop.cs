using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Spool;

/// <summary>
/// One POP session's messages, numbered from 0 in listing order, and their locks (differences 4). The first
/// <see cref="PopLocks.EagerLockCount"/> listed are locked before the login is answered, and those another owner
/// holds are left out, as for the whole maildrop in E-MailRelay's listing; the locks of the rest (a large
/// maildrop's) are taken in listing order in the background from <see cref="StartLocking"/> on, so the login does
/// not wait for them, and one of those that another owner takes first becomes unavailable (RETR answers
/// <c>-ERR</c>). Calling sequence: read <see cref="Count"/>, <see cref="SizeOf"/>, <see cref="UidOf"/> freely;
/// <see cref="WaitAvailableAsync"/> before <see cref="OpenContent"/>; then <see cref="DeleteAsync"/> at most once
/// (QUIT), optionally <see cref="UnlockRestAsync"/>, and always <see cref="DisposeAsync"/>, which stops the
/// locking, finishes the deletes and unlocks every message not deleted (a disconnect without QUIT deletes
/// nothing and leaves nothing locked).
/// </summary>
internal sealed class PopMaildrop : IAsyncDisposable
{
    private readonly PopStore _store;
    private readonly FileSpool _spool;
    private readonly List<Entry> _entries;
    private readonly int _firstPending;
    private readonly TaskCompletionSource[] _steps;
    private readonly CancellationTokenSource _stop = new();
    private Task _locking = Task.CompletedTask;
    private bool _disposed;

    /// <summary>Creates the maildrop over <paramref name="entries"/>, of which those from <paramref name="firstPending"/> on are not locked yet.</summary>
    internal PopMaildrop(PopStore store, FileSpool spool, List<Entry> entries, int firstPending)
    {
        _store = store;
        _spool = spool;
        _entries = entries;
        _firstPending = firstPending;
        _steps = new TaskCompletionSource[(entries.Count - firstPending + PopLocks.LockStepSize - 1) / PopLocks.LockStepSize];
        for (int i = 0; i < _steps.Length; i++)
        {
            _steps[i] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>The number of messages listed.</summary>
    public int Count => _entries.Count;

    /// <summary>The entries, in listing order (tests).</summary>
    internal IReadOnlyList<Entry> Entries => _entries;

    /// <summary>Completes when every listed message has been locked or found unavailable (tests; QUIT).</summary>
    internal Task Locked => _locking;

    /// <summary>The content size of message <paramref name="index"/> in octets.</summary>
    public long SizeOf(int index) => _entries[index].Size;

    /// <summary>The UIDL value of message <paramref name="index"/>: its content file name.</summary>
    public string UidOf(int index) => _entries[index].Uid;

    /// <summary>Starts taking the locks not taken yet (once, by <see cref="PopStore.OpenAsync"/>); then syncs the directory once.</summary>
    internal void StartLocking() => _locking = LockAllAsync();

    /// <summary>Waits until message <paramref name="index"/>'s lock has been tried; true if this session holds it.</summary>
    public async ValueTask<bool> WaitAvailableAsync(int index, CancellationToken cancellationToken)
    {
        if (index >= _firstPending)
        {
            await _steps[(index - _firstPending) / PopLocks.LockStepSize].Task.WaitAsync(cancellationToken);
        }

        var entry = _entries[index];
        return !entry.Finished && !entry.Deleted && (entry.Lock is not null || entry.Fallback is not null);
    }

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
        await _locking;
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
    public async Task UnlockRestAsync()
    {
        await _locking;
        await PopLocks.UnlockAsync(_spool, _entries);
    }

    /// <summary>Stops the locking, removes what is left of the deleted messages and unlocks every message still held.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync();
        await _locking;
        try
        {
            await PopLocks.FinishDeletesAsync(_spool, _entries);
        }
        finally
        {
            await PopLocks.UnlockAsync(_spool, _entries);
            _stop.Dispose();
        }
    }

    // In listing order, a step at a time; never faults (a failed step leaves its messages unavailable, and the rest too).
    private async Task LockAllAsync()
    {
        await Task.Yield();
        int step = 0;
        try
        {
            for (; step < _steps.Length && !_stop.IsCancellationRequested; step++)
            {
                int from = _firstPending + step * PopLocks.LockStepSize;
                int to = Math.Min(_entries.Count, from + PopLocks.LockStepSize);
                await _store.LockRangeAsync(_spool, _entries, from, to, _stop.Token);
                _steps[step].TrySetResult();
            }

            if (_entries.Exists(e => e.Lock is not null || e.Fallback is not null))
            {
                await PopLocks.SyncDirectoryAsync(_spool);
            }
        }
        catch (Exception e)
        {
            // Whatever it is, the session must go on (the messages not locked are unavailable) and its end must unlock what was.
            if (e is not OperationCanceledException)
            {
                Log.PopSkipped(_spool.Logger, step < _steps.Length ? _entries[_firstPending + step * PopLocks.LockStepSize].Id.Value : "", e.Message);
            }
        }
        finally
        {
            foreach (var pending in _steps)
            {
                pending.TrySetResult();
            }
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

        /// <summary>The sidecar lock of a batch-locked message (null until locked, and if another owner has it).</summary>
        public OwnerLock? Lock { get; set; }

        /// <summary>The message as the spool locked it (after recovering a dead owner's lock).</summary>
        public IStoredMessage? Fallback { get; set; }

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
