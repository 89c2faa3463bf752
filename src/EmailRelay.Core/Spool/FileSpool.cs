using System.Runtime.CompilerServices;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Spool;

/// <summary>
/// The default spool: one directory in E-MailRelay's layout (reference §b), so our server, our
/// forwarder, <c>emailrelay-submit</c> and a real E-MailRelay can share it. Every state change is an
/// atomic same-directory <c>rename(2)</c>; the ready envelope is <c>&lt;id&gt;.envelope</c> with a
/// <c>&lt;id&gt;.content</c> sibling; scans are byte-wise lexical.
/// </summary>
/// <remarks>
/// <para><b>Durability</b> (differences.md 1-2). The content is written through a 64 KiB buffer and
/// synced at <see cref="INewMessage.PrepareAsync"/>, which also writes and syncs <c>.envelope.new</c>,
/// both at once and with <c>fdatasync</c> (data plus size and allocation; the name is covered by the
/// directory fsync), on <see cref="BlockingWorkers"/> threads.
/// <see cref="INewMessage.CommitAsync"/> renames it to <c>.envelope</c> and then waits for a directory
/// fsync shared by all concurrent commits (<see cref="DirectorySync"/>, group commit). Every other
/// envelope edit writes and fsyncs a <c>.tmp</c> file and renames it over the original. ENOSPC and
/// EDQUOT become <see cref="SpoolException.IsDiskFull"/>, after the partial files are removed. On tmpfs or
/// ramfs (<see cref="MemoryBacked"/>) the syncs, which the kernel makes no-ops there, are skipped.</para>
/// <para><b>Stale-lock recovery</b> (differences.md 3). While this process owns a message (receiving
/// it, or holding it as <c>.envelope.busy</c>) it holds an exclusive <c>flock</c> on a sidecar file
/// <c>&lt;id&gt;.lock</c> (ignored by E-MailRelay, whose scanners match exact suffixes). The lock is on
/// the sidecar, not on the envelope, because a client filter may replace <c>.envelope.busy</c> by
/// rename, and a lock on the renamed-away inode would no longer protect the name. The kernel releases
/// the flock when the owner dies. The sidecar holds a marker written by the owner while it holds the
/// flock: <c>new</c> once the content exists, <c>busy</c> only after the rename to <c>.busy</c>
/// succeeded (and cleared before it is renamed back). Recovery (<see cref="RecoverAsync"/>, and
/// <see cref="TryLockAsync"/> when it finds such a sidecar) acts only on a sidecar that exists at the
/// name, whose flock it wins, and whose marker says what its dead owner held:
/// <c>busy</c> → <c>.envelope.busy</c> goes back to <c>.envelope</c>; <c>new</c> → the uncommitted
/// <c>.envelope.new</c> and its content are removed (unless the message was already committed).
/// A <c>.busy</c> or <c>.new</c> without our sidecar belongs to another program (E-MailRelay,
/// <c>emailrelay-submit</c>) and is never touched: we cannot know whether its owner is alive. Sidecars
/// are cleared and removed only by a holder of their flock, so a racing locker that ends up holding an
/// unlinked sidecar is merely unrecoverable if it crashes, never stolen from. Each recovery is logged.
/// A finished new message's sidecar may live on as a held, cleared spare for the next one
/// (<see cref="FinishNewMessage"/>), which recovery treats as any orphan lock.</para>
/// </remarks>
internal sealed class FileSpool : IMessageSpool
{
    /// <summary>Content write buffer: large writes, few system calls.</summary>
    internal const int BufferSize = 64 * 1024;

    // E-MailRelay compat: message files are 0660, umask permitting.
    internal const UnixFileMode FileMode0660 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>The most spare lock files kept (see <see cref="FinishNewMessage"/>).</summary>
    internal const int MaxSpareLocks = 64;

    private static uint s_sequence;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _spareGate = new();
    private readonly Stack<OwnerLock> _spares = new();
    private int _activeNewMessages;

    /// <summary>Creates the spool over an existing directory.</summary>
    public FileSpool(string directory, ILogger logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Directory = Path.GetFullPath(directory);
        Logger = logger;
        _timeProvider = timeProvider;
        DirectorySync = new DirectorySync(Directory);
        MemoryBacked = SpoolNative.IsMemoryFileSystem(Directory);
    }

    /// <inheritdoc />
    public event EventHandler? Changed;

    /// <summary>The spool directory's absolute path.</summary>
    public string Directory { get; }

    internal ILogger Logger { get; }

    internal DirectorySync DirectorySync { get; }

    /// <summary>
    /// True when the directory is on tmpfs or ramfs (detected at construction; tests may set it). There
    /// <c>fsync</c> and <c>fdatasync</c> do nothing (the kernel's <c>noop_fsync</c>), so the new-message path skips
    /// them and the thread hops that would only wait for them: the files are written on the caller's thread,
    /// and the commit rename is the whole commit. What is durable is unchanged: everything a sync would
    /// cover is already in the page cache, which is all there is.
    /// </summary>
    internal bool MemoryBacked { get; init; }

    /// <summary>
    /// For a POP <c>--pop-by-name</c> user directory: the main spool, where a message's content is
    /// taken from when this directory has none (reference §f). Such shared content is never deleted
    /// by <see cref="IStoredMessage.DeleteAsync"/>; <see cref="PopStore"/> decides when it goes.
    /// </summary>
    internal string? SharedContentDirectory { get; init; }

    /// <inheritdoc />
    public ValueTask<INewMessage> CreateAsync(CancellationToken cancellationToken)
    {
        lock (_spareGate)
        {
            _activeNewMessages++;
        }

        try
        {
            return ValueTask.FromResult<INewMessage>(CreateNewMessage(cancellationToken));
        }
        catch
        {
            FinishNewMessage(null);
            throw;
        }
    }

    private FileNewMessage CreateNewMessage(CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            MessageId id = NextId();
            OwnerLock? ownerLock = null;
            try
            {
                ownerLock = TakeSpareLock(PathOf(id, SpoolFileKind.Lock)) ??
                    OwnerLock.TryAcquire(PathOf(id, SpoolFileKind.Lock), create: true, exclusive: true, out _);
                if (ownerLock is not null)
                {
                    ownerLock.WriteMarker(OwnerLock.NewMarker);
                    string contentPath = PathOf(id, SpoolFileKind.Content);
                    SafeFileHandle? content = SpoolNative.OpenForWriting(contentPath, exclusive: true, out int errno);
                    if (content is not null)
                    {
                        Log.NewContentFile(Logger, contentPath);
                        return new FileNewMessage(this, id, ownerLock, content);
                    }

                    ownerLock.Release();
                    ownerLock = null;
                    if (errno != SpoolNative.EEXIST)
                    {
                        throw new IOException("cannot create \"" + contentPath + "\": errno " + errno, errno);
                    }
                }
            }
            catch (Exception exception) when (SpoolErrors.IsIo(exception))
            {
                ownerLock?.Release();
                throw SpoolErrors.Wrap(id, "cannot create content file", exception);
            }

            if (attempt >= 100)
            {
                throw new SpoolException(id, "cannot allocate a new message id");
            }
        }
    }

    /// <summary>
    /// Called once for every <see cref="CreateAsync"/> when its message is finished (committed, removed, or
    /// its creation failed), with the message's owner lock (marker still set) or null. The lock becomes a
    /// spare for the next new message when others are in progress, else it is released; the last message
    /// to finish releases every spare, so an idle spool holds none.
    /// </summary>
    /// <remarks>
    /// Why spares: every new message needs an <c>&lt;id&gt;.lock</c> sidecar, and creating then unlinking one per
    /// message costs an inode allocation and a freed inode. On ext4 without a journal (this project's
    /// build machine), allocation skips every inode freed in the last 60-300 s, looking each one up while
    /// holding the directory's lock, so under load every create in the spool got slower and serialised all
    /// sessions (perf: half of the relay's CPU in <c>__ext4_new_inode</c>). A spare is the same held,
    /// cleared lock file renamed (<c>RENAME_NOREPLACE</c>) to an unused id's name; recovery sees it as an
    /// orphan lock (held while we live, removed after we die), and nothing else ever reads it.
    /// </remarks>
    internal void FinishNewMessage(OwnerLock? ownerLock)
    {
        List<OwnerLock>? drain = null;
        bool keep;
        lock (_spareGate)
        {
            _activeNewMessages--;
            keep = ownerLock is not null && _activeNewMessages > 0 && _spares.Count < MaxSpareLocks;
            if (_activeNewMessages == 0 && _spares.Count > 0)
            {
                drain = [.. _spares];
                _spares.Clear();
            }
        }

        if (ownerLock is not null)
        {
            OwnerLock? spare = keep ? TryMakeSpare(ownerLock) : null;
            if (spare is null)
            {
                ownerLock.Release();
            }
            else
            {
                lock (_spareGate)
                {
                    // Only while others are in progress: whoever brings the count to zero drains the pool.
                    if (_activeNewMessages > 0)
                    {
                        _spares.Push(spare);
                        spare = null;
                    }
                }

                spare?.Release();
            }
        }

        drain?.ForEach(static spare => spare.Release());
    }

    private OwnerLock? TryMakeSpare(OwnerLock ownerLock)
    {
        try
        {
            ownerLock.WriteMarker("");
            for (int attempt = 0; attempt < 3; attempt++)
            {
                OwnerLock? moved = ownerLock.TryMoveTo(PathOf(NextId(), SpoolFileKind.Lock), out int errno);
                if (moved is not null || errno != SpoolNative.EEXIST)
                {
                    return moved;
                }
            }
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            // Released by the caller instead.
        }

        return null;
    }

    /// <summary>A spare lock renamed to <paramref name="lockPath"/>, or null (none, or the name is taken: then the caller's create fails the same way).</summary>
    private OwnerLock? TakeSpareLock(string lockPath)
    {
        OwnerLock? spare;
        lock (_spareGate)
        {
            if (!_spares.TryPop(out spare))
            {
                return null;
            }
        }

        OwnerLock? moved = spare.TryMoveTo(lockPath, out _);
        if (moved is null)
        {
            // Still a valid spare under its old name; this process is active, so the pool is not drained yet.
            lock (_spareGate)
            {
                _spares.Push(spare);
            }
        }

        return moved;
    }

    private MessageId NextId() => NextId(_timeProvider);

    /// <summary>
    /// A new message id of this process: pid, time and the one per-process sequence that every id
    /// allocator (this spool, <see cref="LinkedCopy"/>) shares, so two never pick the same id.
    /// </summary>
    internal static MessageId NextId(TimeProvider timeProvider)
    {
        uint sequence;
        do
        {
            sequence = Interlocked.Increment(ref s_sequence);
        }
        while (sequence == 0);

        return SpoolNames.FormatId(Environment.ProcessId, timeProvider.GetUtcNow().ToUnixTimeSeconds(), sequence);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<MessageId> ListAsync(SpoolView view, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        SpoolFileKind kind = view switch
        {
            SpoolView.Ready => SpoolFileKind.Envelope,
            SpoolView.Failed => SpoolFileKind.EnvelopeBad,
            SpoolView.Locked => SpoolFileKind.EnvelopeBusy,
            _ => throw new ArgumentOutOfRangeException(nameof(view)),
        };
        List<MessageId> ids = await Task.Run(() => Scan(kind), cancellationToken);
        foreach (MessageId id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }
    }

    /// <inheritdoc />
    public async ValueTask<IStoredMessage?> TryLockAsync(MessageId id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string envelopePath = PathOf(id, SpoolFileKind.Envelope);
        if (!File.Exists(envelopePath))
        {
            return null;
        }

        OwnerLock? ownerLock;
        try
        {
            ownerLock = OwnerLock.TryAcquire(PathOf(id, SpoolFileKind.Lock), create: true, exclusive: false, out _);
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            throw SpoolErrors.Wrap(id, "cannot lock file", exception);
        }

        if (ownerLock is null)
        {
            Log.CannotLock(Logger, envelopePath);
            return null;
        }

        string busyPath = PathOf(id, SpoolFileKind.EnvelopeBusy);
        try
        {
            string marker = ownerLock.ReadMarker();
            if (marker.Length > 0)
            {
                RecoverHeld(id, ownerLock, marker);
            }

            File.Move(envelopePath, busyPath, overwrite: true);
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            // E-MailRelay compat: losing the rename race is "cannot lock file", and we move on.
            ownerLock.Release();
            Log.CannotLock(Logger, envelopePath);
            return null;
        }

        ownerLock.WriteMarker(OwnerLock.BusyMarker);
        var message = new FileStoredMessage(this, id, ownerLock);
        try
        {
            await message.ReloadEnvelopeAsync(cancellationToken);
        }
        catch (SpoolException exception)
        {
            // Unlocked again and left in place, without a Changed event: a rescan would only fail again.
            Log.IgnoringEnvelope(Logger, busyPath, exception.Message);
            message.Unlock(raiseChanged: false);
            throw;
        }

        return message;
    }

    /// <inheritdoc />
    public async ValueTask<int> UnfailAllAsync(CancellationToken cancellationToken)
    {
        List<MessageId> failed = await Task.Run(() => Scan(SpoolFileKind.EnvelopeBad), cancellationToken);
        int count = 0;
        foreach (MessageId id in failed)
        {
            try
            {
                File.Move(PathOf(id, SpoolFileKind.EnvelopeBad), PathOf(id, SpoolFileKind.Envelope), overwrite: true);
                count++;
            }
            catch (Exception exception) when (SpoolErrors.IsIo(exception))
            {
                Log.CleanupFailed(Logger, PathOf(id, SpoolFileKind.EnvelopeBad), exception.Message);
            }
        }

        if (count > 0)
        {
            await SyncDirectoryAsync(default);
            OnChanged();
        }

        return count;
    }

    /// <summary>
    /// Recovers the stale messages of dead owners (see the type's remarks) and removes orphan lock
    /// files. Never touches a message whose owner is alive, so it may run at any time. Returns how
    /// many messages were recovered or removed.
    /// </summary>
    public Task<int> RecoverAsync(CancellationToken cancellationToken) => Task.Run(() =>
    {
        int recovered = 0;
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*" + SpoolNames.LockSuffix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!SpoolNames.TryParse(Path.GetFileName(path), out MessageId id, out SpoolFileKind kind) || kind != SpoolFileKind.Lock)
            {
                continue;
            }

            try
            {
                OwnerLock? ownerLock = OwnerLock.TryAcquire(path, create: false, exclusive: false, out _);
                if (ownerLock is null)
                {
                    continue;
                }

                string marker = ownerLock.ReadMarker();
                if (RecoverHeld(id, ownerLock, marker))
                {
                    recovered++;
                }
                else
                {
                    Log.RemovedOrphanLock(Logger, path);
                }

                ownerLock.Release();
            }
            catch (Exception exception) when (SpoolErrors.IsIo(exception))
            {
                Log.CleanupFailed(Logger, path, exception.Message);
            }
        }

        if (recovered > 0)
        {
            OnChanged();
        }

        return recovered;
    }, cancellationToken);

    internal string PathOf(MessageId id, SpoolFileKind kind) => Path.Combine(Directory, SpoolNames.FileName(id, kind));

    /// <summary>The content path: this directory's, else the <see cref="SharedContentDirectory"/>'s if it has one.</summary>
    internal string ContentPathOf(MessageId id)
    {
        string local = PathOf(id, SpoolFileKind.Content);
        if (SharedContentDirectory is null || File.Exists(local))
        {
            return local;
        }

        string shared = Path.Combine(SharedContentDirectory, SpoolNames.FileName(id, SpoolFileKind.Content));
        return File.Exists(shared) ? shared : local;
    }

    internal void OnChanged() => Changed?.Invoke(this, EventArgs.Empty);

    internal async Task SyncDirectoryAsync(MessageId id)
    {
        if (MemoryBacked)
        {
            return;
        }

        try
        {
            await DirectorySync.SyncAsync();
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            throw SpoolErrors.Wrap(id, "cannot sync spool directory", exception);
        }
    }

    /// <summary>
    /// Runs a blocking fsync-bound action on one of the spool's long-lived <see cref="BlockingWorkers"/>
    /// threads, not the caller's and not a pool thread: fsyncs take milliseconds, and blocking pool
    /// threads would cap how many run at once (the pool grows slowly).
    /// </summary>
    internal static Task RunBlocking(Action action) => BlockingWorkers.Run(action);

    /// <summary>Writes a whole file in one write and syncs its data (callers rename it into place, then sync the directory).</summary>
    internal static void WriteFileDurably(string path, ReadOnlySpan<byte> bytes) => WriteFile(path, bytes, sync: true);

    /// <summary>Creates or truncates <paramref name="path"/>, writes <paramref name="bytes"/> and, if <paramref name="sync"/>, syncs its data.</summary>
    internal static void WriteFile(string path, ReadOnlySpan<byte> bytes, bool sync)
    {
        using SafeFileHandle handle = SpoolNative.OpenForWriting(path, exclusive: false, out int errno)
            ?? throw new IOException("cannot create \"" + path + "\": errno " + errno, errno);
        RandomAccess.Write(handle, bytes, 0);
        if (sync)
        {
            SpoolNative.SyncData(handle, path);
        }
    }

    internal void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            Log.CleanupFailed(Logger, path, exception.Message);
        }
    }

    /// <summary>Acts on a sidecar whose flock we won and whose marker its dead owner left.</summary>
    private bool RecoverHeld(MessageId id, OwnerLock ownerLock, string marker)
    {
        bool recovered = false;
        if (marker == OwnerLock.BusyMarker)
        {
            string busy = PathOf(id, SpoolFileKind.EnvelopeBusy);
            if (File.Exists(busy))
            {
                File.Move(busy, PathOf(id, SpoolFileKind.Envelope), overwrite: true);
                Log.RecoveredBusy(Logger, busy);
                recovered = true;
            }

            DeleteQuietly(PathOf(id, SpoolFileKind.EnvelopeBusyTmp));
        }
        else if (marker == OwnerLock.NewMarker)
        {
            bool committed = File.Exists(PathOf(id, SpoolFileKind.Envelope)) ||
                File.Exists(PathOf(id, SpoolFileKind.EnvelopeBusy)) ||
                File.Exists(PathOf(id, SpoolFileKind.EnvelopeBad));
            if (!committed)
            {
                string newPath = PathOf(id, SpoolFileKind.EnvelopeNew);
                string contentPath = PathOf(id, SpoolFileKind.Content);
                recovered = File.Exists(newPath) || File.Exists(contentPath);
                DeleteQuietly(newPath);
                DeleteQuietly(PathOf(id, SpoolFileKind.EnvelopeNewTmp));
                DeleteQuietly(contentPath);
                DeleteQuietly(PathOf(id, SpoolFileKind.ContentTmp));
                if (recovered)
                {
                    Log.RecoveredNew(Logger, newPath);
                }
            }
        }

        ownerLock.WriteMarker("");
        return recovered;
    }

    private List<MessageId> Scan(SpoolFileKind kind)
    {
        var contents = new HashSet<string>(StringComparer.Ordinal);
        var candidates = new List<MessageId>();
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory))
        {
            if (SpoolNames.TryParse(Path.GetFileName(path), out MessageId id, out SpoolFileKind found))
            {
                if (found == SpoolFileKind.Content)
                {
                    contents.Add(id.Value);
                }
                else if (found == kind)
                {
                    candidates.Add(id);
                }
            }
        }

        candidates.RemoveAll(id => !contents.Contains(id.Value) &&
            (SharedContentDirectory is null || !File.Exists(Path.Combine(SharedContentDirectory, SpoolNames.FileName(id, SpoolFileKind.Content)))));
        candidates.Sort();
        return candidates;
    }
}
