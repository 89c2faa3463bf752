using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using EmailRelay.Spool;

namespace EmailRelay.Pop3;

/// <summary>
/// One POP session's messages, numbered from 0 in listing order, claimed through one <see cref="IClaimGroup"/>
/// (differences 4). The first <see cref="PopStore.EagerLockCount"/> listed are claimed before the login is answered,
/// and those another owner holds are left out, as for the whole maildrop in E-MailRelay's listing; the rest (a large
/// maildrop's) are claimed in listing order in the background from <see cref="StartLocking"/> on, so the login does
/// not wait for them, and one of those that another owner takes first becomes unavailable (RETR answers
/// <c>-ERR</c>). Calling sequence: read <see cref="Count"/>, <see cref="SizeOf"/>, <see cref="UidOf"/> freely;
/// <see cref="WaitAvailableAsync"/> before <see cref="OpenContent"/>; then <see cref="DeleteAsync"/> at most once
/// (QUIT), optionally <see cref="UnlockRestAsync"/>, and always <see cref="DisposeAsync"/>, which stops the claims,
/// finishes the deletes and releases every message not deleted (a disconnect without QUIT deletes nothing and leaves
/// nothing claimed).
/// </summary>
internal sealed class PopMaildrop : IAsyncDisposable
{
    private readonly PopStore _store;
    private readonly IClaimGroup _group;
    private readonly List<Entry> _entries;
    private readonly int _firstPending;
    private readonly TaskCompletionSource[] _steps;
    private readonly CancellationTokenSource _stop = new();
    private Task _locking = Task.CompletedTask;
    private bool _disposed;

    /// <summary>Creates the maildrop over <paramref name="entries"/>, of which those from <paramref name="firstPending"/> on are not claimed yet.</summary>
    internal PopMaildrop(PopStore store, IClaimGroup group, List<Entry> entries, int firstPending)
    {
        _store = store;
        _group = group;
        _entries = entries;
        _firstPending = firstPending;
        _steps = new TaskCompletionSource[(entries.Count - firstPending + PopStore.LockStepSize - 1) / PopStore.LockStepSize];
        for (int i = 0; i < _steps.Length; i++)
        {
            _steps[i] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>The number of messages listed.</summary>
    public int Count => _entries.Count;

    /// <summary>The entries, in listing order (tests).</summary>
    internal IReadOnlyList<Entry> Entries => _entries;

    /// <summary>The claim group (tests).</summary>
    internal IClaimGroup Group => _group;

    /// <summary>Completes when every listed message has been claimed or found unavailable (tests; QUIT).</summary>
    internal Task Locked => _locking;

    /// <summary>The content size of message <paramref name="index"/> in octets.</summary>
    public long SizeOf(int index) => _entries[index].Size;

    /// <summary>The UIDL value of message <paramref name="index"/>: its content file name (E-MailRelay's).</summary>
    public string UidOf(int index) => _entries[index].Uid;

    /// <summary>Starts claiming the messages not claimed yet (once, by <see cref="PopStore.OpenAsync"/>).</summary>
    internal void StartLocking() => _locking = LockAllAsync();

    /// <summary>Waits until message <paramref name="index"/>'s claim has been tried; true if this session holds it.</summary>
    public async ValueTask<bool> WaitAvailableAsync(int index, CancellationToken cancellationToken)
    {
        if (index >= _firstPending)
        {
            await _steps[(index - _firstPending) / PopStore.LockStepSize].Task.WaitAsync(cancellationToken);
        }

        var entry = _entries[index];
        return entry.Claimed && !entry.Deleted;
    }

    /// <summary>Opens message <paramref name="index"/>'s content for reading; the caller disposes it. Throws <see cref="SpoolException"/>.</summary>
    public Stream OpenContent(int index) => _group.OpenContent(_entries[index].Id);

    /// <summary>
    /// Removes the given messages (unless <c>--pop-no-delete</c>); true if every one was removed. A message is gone,
    /// durably, when this returns; its remaining files go in <see cref="DisposeAsync"/>, so the client need not wait for them.
    /// </summary>
    public async ValueTask<bool> DeleteAsync(IReadOnlyList<int> indexes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        await _locking;
        if (_store.NoDelete)
        {
            return true;
        }

        var marked = indexes.Distinct().Select(i => _entries[i]).Where(e => !e.Deleted).ToList();
        var doomed = marked.Where(e => e.Claimed).ToList();
        bool[] deleted = await _group.DeleteAsync([.. doomed.Select(e => e.Id)], cancellationToken);
        for (int i = 0; i < doomed.Count; i++)
        {
            doomed[i].Deleted = deleted[i];
        }

        // A marked message this session never held (another owner took it first) is not removed either.
        return marked.TrueForAll(e => e.Deleted);
    }

    /// <summary>Releases every message still claimed and not deleted, durably (after QUIT's deletes, before its reply: the forwarder may then take them).</summary>
    public async Task UnlockRestAsync()
    {
        await _locking;
        await _group.ReleaseAllAsync(CancellationToken.None);
    }

    /// <summary>Stops the claims, removes what is left of the deleted messages and releases every message still claimed.</summary>
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
            await _group.DisposeAsync();
        }
        finally
        {
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
                int from = _firstPending + step * PopStore.LockStepSize;
                int to = Math.Min(_entries.Count, from + PopStore.LockStepSize);
                bool[] claimed = await _group.ClaimAsync([.. _entries.Skip(from).Take(to - from).Select(e => e.Id)], _stop.Token);
                for (int i = from; i < to; i++)
                {
                    _entries[i].Claimed = claimed[i - from];
                }

                _steps[step].TrySetResult();
            }
        }
        catch (Exception e)
        {
            // Whatever it is, the session must go on (the messages not claimed are unavailable) and its end must release what was.
            if (e is not OperationCanceledException)
            {
                Log.Skipped(_store.Logger, step < _steps.Length ? _entries[_firstPending + step * PopStore.LockStepSize].Id.Value : "", e.Message);
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

    /// <summary>One listed message.</summary>
    internal sealed class Entry(MessageId id, long size)
    {
        /// <summary>The message id.</summary>
        public MessageId Id { get; } = id;

        /// <summary>The content size.</summary>
        public long Size { get; } = size;

        /// <summary>The content file name.</summary>
        public string Uid { get; } = SpoolNames.FileName(id, SpoolFileKind.Content);

        /// <summary>True once this session holds it.</summary>
        public bool Claimed { get; set; }

        /// <summary>True once deleted (durably).</summary>
        public bool Deleted { get; set; }
    }
}
