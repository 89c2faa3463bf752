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
/// the flock when the owner dies. The sidecar's marker (its size, see <see cref="OwnerLock.ReadMarker"/>)
/// says what the owner held: <c>new</c> once the content exists; <c>busy</c> while the message is ours as
/// <c>.envelope.busy</c>. Locking goes <c>.envelope</c> → <c>&lt;id&gt;.envelope.claim</c> (a name only we make)
/// → marker <c>busy</c> → <c>.envelope.busy</c>, and every release goes back through the claim name, so a
/// crash or power loss at any step leaves a state whose owner recovery can tell (the table at
/// <see cref="RecoverAsync"/>). Recovery (at startup, and <see cref="TryLockAsync"/> when it finds a marked
/// sidecar) acts only on a sidecar whose flock it wins: a claim or a marked <c>.busy</c> goes back to
/// <c>.envelope</c>; <c>new</c> → the uncommitted <c>.envelope.new</c> and its content are removed.
/// A <c>.busy</c> or <c>.new</c> without our sidecar or marker belongs to another program (E-MailRelay,
/// <c>emailrelay-submit</c>) and is never touched: we cannot know whether its owner is alive. Sidecars
/// are cleared and removed only by a holder of their flock, and a locker whose flock lands on a sidecar
/// removed meanwhile lets it go (<see cref="OwnerLock.TryAcquire"/>). Each recovery is logged.
/// A finished new message's sidecar may live on as a held, cleared spare for the next one
/// (<see cref="FinishNewMessage"/>), which recovery treats as any orphan lock.</para>
/// <para><b>Free files</b> (<see cref="Pool"/>). Where this spool removes a file it owns (delete, POP delete, an abandoned
/// new message, a released sidecar, the old envelope of an edit), the file goes, emptied, to the hidden <c>.pool</c>
/// subdirectory instead of being unlinked; where it makes one (a sidecar, new content, <c>.envelope.new</c>, an edit's
/// <c>.tmp</c>) it first takes one from there by a <c>RENAME_NOREPLACE</c> rename. The names the spool shows and every
/// step of the table at <see cref="RecoverAsync"/> are unchanged: "removed" is a rename out of the spool directory
/// instead of an unlink, "created" a rename into it. See <see cref="FilePool"/> for why (inode allocation on ext4
/// without a journal) and for its own crash and privacy rules.</para>
/// </remarks>
internal sealed class FileSpool : IMessageSpool
{
    /// <summary>Content write buffer: large writes, few system calls.</summary>
    internal const int BufferSize = 64 * 1024;

    // E-MailRelay compat: message files are 0660, umask permitting.
    internal const UnixFileMode FileMode0660 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>The most spare lock files kept (see <see cref="FinishNewMessage"/>).</summary>
    internal const int MaxSpareLocks = 64;

    /// <summary>The suffix of <see cref="ClaimPathOf"/>.</summary>
    internal const string ClaimSuffix = ".envelope.claim";

    private static uint s_sequence;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _spareGate = new();
    private readonly Stack<OwnerLock> _spares = new();
    private int _activeNewMessages;
    private FilePool? _pool;

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
        _pool = new FilePool(Directory);
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

    /// <summary>
    /// The free-file pool (<see cref="FilePool"/>) that message files and lock sidecars are taken from and given back
    /// to instead of being created and unlinked; null on tmpfs or ramfs (<see cref="MemoryBacked"/>), where creating
    /// an inode costs less than the renames. A <c>--pop-by-name</c> user directory shares the main spool's.
    /// </summary>
    internal FilePool? Pool
    {
        get => MemoryBacked ? null : _pool;
        init => _pool = value;
    }

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
                    OwnerLock.TryAcquire(PathOf(id, SpoolFileKind.Lock), create: true, exclusive: true, out _, Pool);
                if (ownerLock is not null)
                {
                    ownerLock.WriteMarker(OwnerLock.NewMarker);
                    string contentPath = PathOf(id, SpoolFileKind.Content);
                    int errno = 0;
                    SafeFileHandle? content = Pool?.TryTakeFile(contentPath, out errno);
                    content ??= errno == SpoolNative.EEXIST ? null : SpoolNative.OpenForWriting(contentPath, exclusive: true, out errno);
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
            ownerLock = OwnerLock.TryAcquire(PathOf(id, SpoolFileKind.Lock), create: true, exclusive: false, out _, Pool);
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

            int errno = LockBusy(id, ownerLock);
            if (errno != 0)
            {
                throw new IOException("cannot rename \"" + envelopePath + "\": errno " + errno, errno);
            }
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            // E-MailRelay compat: losing the rename race is "cannot lock file", and we move on.
            ownerLock.Release();
            Log.CannotLock(Logger, envelopePath);
            return null;
        }

        var message = new FileStoredMessage(this, id, ownerLock);
        try
        {
            await message.ReloadEnvelopeAsync(cancellationToken);
        }
        catch (SpoolException exception)
        {
            Log.IgnoringEnvelope(Logger, busyPath, exception.Message);
            if (exception.IsInvalidEnvelope)
            {
                // Not an envelope: moved aside to .bad (see FileStoredMessage.MoveAsideAsync), so that one bad file
                // neither stops a run nor is read again at every poll.
                try
                {
                    await message.MoveAsideAsync();
                }
                catch (SpoolException moveFailure)
                {
                    Log.CleanupFailed(Logger, busyPath, moveFailure.Message);
                    message.Unlock(raiseChanged: false);
                }

                throw;
            }

            // Unreadable (an I/O error): unlocked again and left in place, without a Changed event: a rescan would only fail again.
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
    /// <remarks>
    /// <para>Every "removed", "unlink" and "created" below may be a rename to or from the <see cref="Pool"/> directory,
    /// which has the same atomic effect on the spool directory; recovery first cleans what a crash left in the pool
    /// (<see cref="FilePool.Recover"/>).</para>
    /// <para>What a crash can leave, per message id, and what recovery does. "lock(m)" is the <c>&lt;id&gt;.lock</c>
    /// sidecar with marker m (∅ none, <c>new</c>, <c>busy</c>). Recovery acts only on a sidecar whose flock it
    /// wins and which is still linked (<see cref="OwnerLock.TryAcquire"/>); a sidecar held by a live process,
    /// ours, is skipped whatever lies beside it. Files without a sidecar of ours are another program's
    /// (E-MailRelay, <c>emailrelay-submit</c>) and are never touched, except <c>.envelope.claim</c>, which only we make.</para>
    /// <code>
    /// step (in order)                              crash leaves                           recovery
    /// new message: sidecar created (or a spare     lock(∅)                                 sidecar removed
    ///   renamed in, NOREPLACE), marker new         lock(new)                               sidecar removed
    ///   .content created, .envelope.new written    lock(new) .content [.envelope.new]      files removed (never acknowledged)
    ///   and synced, rename .new -> .envelope,      lock(new) .content .envelope            left (committed); sidecar removed
    ///   dir fsync, 250, then the sidecar is        lock(∅) .content .envelope              left; sidecar removed
    ///   cleared + removed, or cleared + renamed    lock(∅) of an unused id (a spare)       sidecar removed
    ///   to an unused id as a spare
    /// lock (forwarder, POP): flock,                lock(∅) .envelope                       left (ready); sidecar removed
    ///   .envelope -> .envelope.claim, marker busy, lock(∅|busy) .envelope.claim            claim -> .envelope
    ///   .claim -> .envelope.busy                   lock(busy) .envelope.busy               .busy -> .claim, marker ∅, -> .envelope
    /// unlock/defer: .busy -> .claim, marker ∅,     as the three rows above (in reverse)
    ///   .claim -> .envelope, sidecar removed
    /// fail: .busy -> .claim, marker ∅,             lock(∅) .envelope.claim                 -> .envelope (failure not recorded: retried)
    ///   .claim -> .bad, dir fsync, sidecar removed lock(∅) .envelope.bad                   left; sidecar removed
    /// delete: unlink .busy, unlink .content,       lock(busy) .content                     content removed (the message was delivered)
    ///   sidecar removed                            lock(busy)                              sidecar removed
    /// another program's message, where a locker    lock(∅) .envelope.busy (theirs)         left (∅: not ours); sidecar removed
    ///   of ours lost the race or had unlocked      lock(new) .envelope.busy (theirs)       left (committed); sidecar removed
    /// no sidecar (a file system that reordered)    .envelope.claim                         sidecar made and taken, then -> .envelope
    /// </code>
    /// <para>Why these are all the states: the marker <c>busy</c> is set only while the message is at our claim
    /// name, and cleared only after it is back there, so lock(busy) beside a <c>.busy</c> always means ours, and a
    /// <c>.envelope</c> (which anyone may take) never stands beside lock(busy). After a SIGKILL the page cache
    /// holds every step the process made, in order. After a power loss: the marker is the sidecar's size (one
    /// <c>ftruncate</c>, metadata), and creates, renames, truncates and unlinks in one directory reach the disk
    /// in order on journaling file systems (ext4, XFS, btrfs), so a power loss leaves a state a SIGKILL of every
    /// process could have left, with no flock held: one of the rows above. Data is another matter and is
    /// synced before it is named (differences 1-2). On tmpfs nothing survives a power loss.</para>
    /// </remarks>
    public Task<int> RecoverAsync(CancellationToken cancellationToken) => Task.Run(() =>
    {
        RecoverPool();
        int recovered = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*" + SpoolNames.LockSuffix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!SpoolNames.TryParse(Path.GetFileName(path), out MessageId id, out SpoolFileKind kind) || kind != SpoolFileKind.Lock)
            {
                continue;
            }

            seen.Add(id.Value);
            recovered += RecoverOne(id, path, create: false);
        }

        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*" + ClaimSuffix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            string name = Path.GetFileName(path);
            var id = new MessageId(name[..^ClaimSuffix.Length]);
            if (name.Length > ClaimSuffix.Length && !seen.Contains(id.Value))
            {
                // A claim whose sidecar did not reach the disk: take a sidecar for it like any locker.
                recovered += RecoverOne(id, PathOf(id, SpoolFileKind.Lock), create: true);
            }
        }

        if (recovered > 0)
        {
            OnChanged();
        }

        return recovered;
    }, cancellationToken);

    private int RecoverOne(MessageId id, string lockPath, bool create)
    {
        try
        {
            OwnerLock? ownerLock = OwnerLock.TryAcquire(lockPath, create, exclusive: false, out _, Pool);
            if (ownerLock is null)
            {
                return 0;
            }

            try
            {
                if (RecoverHeld(id, ownerLock, ownerLock.ReadMarker()))
                {
                    return 1;
                }

                Log.RemovedOrphanLock(Logger, lockPath);
                return 0;
            }
            finally
            {
                ownerLock.Release();
            }
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            Log.CleanupFailed(Logger, lockPath, exception.Message);
            return 0;
        }
    }

    /// <summary>
    /// Locks a message whose sidecar flock we hold: <c>.envelope</c> → <c>.envelope.claim</c> (the rename decides who
    /// wins), the <c>busy</c> marker, then <c>.envelope.claim</c> → <c>.envelope.busy</c>. Returns 0, or the errno of
    /// the first rename (ENOENT: someone else has it) with nothing changed. The claim name is ours alone (no other
    /// program makes one), so a crash at any point leaves either the claim or a marked <c>.busy</c>, both ours:
    /// see the state table at <see cref="RecoverAsync"/>. Throws <see cref="IOException"/>, after putting the envelope back.
    /// </summary>
    internal int LockBusy(MessageId id, OwnerLock ownerLock)
    {
        string envelope = PathOf(id, SpoolFileKind.Envelope);
        string claim = ClaimPathOf(id);
        int errno = SpoolNative.Rename(envelope, claim);
        if (errno != 0)
        {
            return errno;
        }

        try
        {
            ownerLock.WriteMarker(OwnerLock.BusyMarker);
            errno = SpoolNative.Rename(claim, PathOf(id, SpoolFileKind.EnvelopeBusy));
            if (errno != 0)
            {
                throw new IOException("cannot rename \"" + claim + "\": errno " + errno, errno);
            }

            return 0;
        }
        catch (IOException)
        {
            // Marker first, so that a .envelope never stands beside our busy marker.
            try
            {
                ownerLock.WriteMarker("");
            }
            finally
            {
                _ = SpoolNative.Rename(claim, envelope);
            }

            throw;
        }
    }

    /// <summary>
    /// Releases a locked message: <c>.envelope.busy</c> → <c>.envelope.claim</c>, marker cleared, then the claim →
    /// <paramref name="destination"/> (<c>.envelope</c> or <c>.envelope.bad</c>). Returns 0 or the errno of the
    /// failed rename (then the message is left at its current name, for recovery if we die holding it).
    /// </summary>
    internal int ReleaseBusy(MessageId id, OwnerLock ownerLock, SpoolFileKind destination)
    {
        string claim = ClaimPathOf(id);
        int errno = SpoolNative.Rename(PathOf(id, SpoolFileKind.EnvelopeBusy), claim);
        if (errno != 0)
        {
            return errno;
        }

        try
        {
            ownerLock.WriteMarker("");
        }
        catch (IOException)
        {
            // The claim is ours whatever the marker says.
        }

        return SpoolNative.Rename(claim, PathOf(id, destination));
    }

    /// <summary><c>&lt;id&gt;.envelope.claim</c>: a message between <c>.envelope</c> and <c>.envelope.busy</c>, named by us alone (every scanner ignores it).</summary>
    internal string ClaimPathOf(MessageId id) => Path.Combine(Directory, id.Value + ClaimSuffix);

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

    /// <summary>
    /// Writes a whole new spool file (<c>.envelope.new</c>, an envelope edit's <c>.tmp</c>) in one write and, if
    /// <paramref name="sync"/>, syncs its data: a pool file renamed to <paramref name="path"/> if the pool has one,
    /// else the file created or truncated as by <see cref="WriteFile"/>.
    /// </summary>
    internal void WriteSpoolFile(string path, ReadOnlySpan<byte> bytes, bool sync)
    {
        SafeFileHandle? taken = Pool?.TryTakeFile(path, out _);
        if (taken is null)
        {
            WriteFile(path, bytes, sync);
            return;
        }

        using (taken)
        {
            RandomAccess.Write(taken, bytes, 0);
            if (sync)
            {
                SpoolNative.SyncData(taken, path);
            }
        }
    }

    /// <summary>
    /// Removes a file this spool owns as <see cref="DeleteQuietly"/> does, giving it to the <see cref="Pool"/> when there
    /// is one (truncated there; never a file with other links). Logs a failure other than "already gone".
    /// </summary>
    internal void RecycleQuietly(string path)
    {
        if (Pool is not { } pool)
        {
            DeleteQuietly(path);
            return;
        }

        int errno = pool.Recycle(path);
        if (errno is not 0 and not SpoolNative.ENOENT)
        {
            Log.CleanupFailed(Logger, path, "errno " + errno);
        }
    }

    /// <summary>Removes a file this spool owns (into the <see cref="Pool"/> when there is one); 0 or the errno (ENOENT: already gone).</summary>
    internal int Recycle(string path)
    {
        if (Pool is { } pool)
        {
            return pool.Recycle(path);
        }

        return SpoolNative.TryUnlink(path, out int errno) ? 0 : errno;
    }

    /// <summary>
    /// The first half of <see cref="Recycle"/>: removes the name <paramref name="path"/> now (one rename into the pool,
    /// or an unlink without one) and gives back in <paramref name="dirty"/> what <see cref="Reclaim"/> empties later.
    /// </summary>
    internal int Retire(string path, out string? dirty)
    {
        if (Pool is { } pool)
        {
            return pool.Retire(path, out dirty);
        }

        dirty = null;
        return SpoolNative.TryUnlink(path, out int errno) ? 0 : errno;
    }

    /// <summary>The second half of <see cref="Recycle"/>, for a file <see cref="Retire"/> left dirty in the pool.</summary>
    internal void Reclaim(string dirty) => Pool?.Reclaim(dirty);

    private void RecoverPool()
    {
        try
        {
            int cleaned = Pool?.Recover() ?? 0;
            if (cleaned > 0)
            {
                Log.PoolRecovered(Logger, cleaned);
            }
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            Log.CleanupFailed(Logger, Pool?.Directory ?? Directory, exception.Message);
        }
    }

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

    /// <summary>Acts on a sidecar whose flock we won and whose marker its dead owner left (the table at <see cref="RecoverAsync"/>).</summary>
    private bool RecoverHeld(MessageId id, OwnerLock ownerLock, string marker)
    {
        bool recovered = false;
        string claim = ClaimPathOf(id);
        string busy = PathOf(id, SpoolFileKind.EnvelopeBusy);
        if (marker == OwnerLock.BusyMarker)
        {
            // Through the claim name, as an unlock does: a .envelope never stands beside the busy marker.
            int errno = SpoolNative.Rename(busy, claim);
            if (errno != 0 && errno != SpoolNative.ENOENT)
            {
                throw new IOException("cannot rename \"" + busy + "\": errno " + errno, errno);
            }

            DeleteQuietly(PathOf(id, SpoolFileKind.EnvelopeBusyTmp));
        }

        if (File.Exists(claim))
        {
            ownerLock.WriteMarker("");
            int errno = SpoolNative.Rename(claim, PathOf(id, SpoolFileKind.Envelope));
            if (errno != 0)
            {
                throw new IOException("cannot rename \"" + claim + "\": errno " + errno, errno);
            }

            Log.RecoveredBusy(Logger, marker == OwnerLock.BusyMarker ? busy : claim);
            recovered = true;
        }
        else if (marker == OwnerLock.BusyMarker)
        {
            // Its owner deleted the envelope (delivered) and died before the content.
            if (!IsNamed(id, SpoolFileKind.Envelope, SpoolFileKind.EnvelopeBusy, SpoolFileKind.EnvelopeBad, SpoolFileKind.EnvelopeNew))
            {
                DeleteQuietly(PathOf(id, SpoolFileKind.Content));
            }
        }
        else if (marker == OwnerLock.NewMarker)
        {
            if (!IsNamed(id, SpoolFileKind.Envelope, SpoolFileKind.EnvelopeBusy, SpoolFileKind.EnvelopeBad))
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

    private bool IsNamed(MessageId id, params SpoolFileKind[] kinds) => Array.Exists(kinds, kind => File.Exists(PathOf(id, kind)));

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
