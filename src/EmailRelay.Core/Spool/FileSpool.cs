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
/// <see cref="SpoolRecovery.RecoverAll"/>). Recovery (at startup, and <see cref="TryLockAsync"/> when it finds a marked
/// sidecar) acts only on a sidecar whose flock it wins: a claim or a marked <c>.busy</c> goes back to
/// <c>.envelope</c>; <c>new</c> → the uncommitted <c>.envelope.new</c> and its content are removed.
/// A <c>.busy</c> or <c>.new</c> without our sidecar or marker belongs to another program (E-MailRelay,
/// <c>emailrelay-submit</c>) and is never touched: we cannot know whether its owner is alive. Sidecars
/// are cleared and removed only by a holder of their flock, and a locker whose flock lands on a sidecar
/// removed meanwhile lets it go (<see cref="OwnerLock.TryAcquire"/>). Each recovery is logged.
/// A finished new message's sidecar may live on as a held, cleared spare for the next one
/// (<see cref="SpareLocks"/>), which recovery treats as any orphan lock.</para>
/// <para><b>Its parts.</b> This type implements only the verbs. <see cref="SpoolPaths"/> names the files,
/// <see cref="MessageIds"/> allocates ids, <see cref="MessageClaims"/> claims and releases by rename,
/// <see cref="SpoolRecovery"/> holds the crash-state table, <see cref="SpareLocks"/> keeps sidecars between new
/// messages, and the <see cref="IFileAllocator"/> (<see cref="FileAllocators"/>) makes and removes the files.</para>
/// </remarks>
internal sealed class FileSpool : IMessageSpool, IUserSpools
{
    /// <summary>Content write buffer: large writes, few system calls.</summary>
    internal const int BufferSize = 64 * 1024;

    // E-MailRelay compat: message files are 0660, umask permitting.
    internal const UnixFileMode FileMode0660 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    private readonly TimeProvider _timeProvider;
    private IFileAllocator _files;
    private SpoolPaths _paths;
    private MessageClaims _claims;
    private SpoolRecovery _recovery;
    private SpareLocks _spares;

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
        _files = FileAllocators.For(Directory);
        (_paths, _claims, _recovery, _spares) = Parts(new SpoolPaths(Directory));
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
    /// cover is already in the page cache, which is all there is. Files there are always plainly created and unlinked.
    /// </summary>
    internal bool MemoryBacked { get; init; }

    /// <summary>
    /// For a POP <c>--pop-by-name</c> user directory: the main spool, where a message's content is
    /// taken from when this directory has none (reference §f). Such shared content is never deleted
    /// by <see cref="IStoredMessage.DeleteAsync"/>; the POP maildrop decides when it goes.
    /// </summary>
    internal string? SharedContentDirectory
    {
        get => _paths.SharedContentDirectory;
        init => (_paths, _claims, _recovery, _spares) = Parts(new SpoolPaths(Directory, value));
    }

    /// <summary>Where the spool's files come from and go to (<see cref="FileAllocators"/>); plain on tmpfs or ramfs. A by-name user directory shares the main spool's.</summary>
    internal IFileAllocator Files
    {
        get => MemoryBacked ? PlainFileAllocator.Instance : _files;
        init => _files = value;
    }

    /// <summary>Selects the free-file pool (tests): <see cref="Files"/> becomes a <see cref="PooledFileAllocator"/> over it, or plain for null.</summary>
    internal FilePool? Pool
    {
        get => (Files as PooledFileAllocator)?.Pool;
        init => _files = value is null ? PlainFileAllocator.Instance : new PooledFileAllocator(value);
    }

    /// <summary>The names and paths.</summary>
    internal SpoolPaths Paths => _paths;

    /// <summary>The clock for ids and maildir names.</summary>
    internal TimeProvider Time => _timeProvider;

    /// <summary>Claims by rename.</summary>
    internal MessageClaims Claims => _claims;

    /// <summary>The crash-state table.</summary>
    internal SpoolRecovery Recovery => _recovery;

    /// <inheritdoc />
    public ValueTask<INewMessage> CreateAsync(CancellationToken cancellationToken)
    {
        _spares.Begin();
        try
        {
            return ValueTask.FromResult<INewMessage>(CreateNewMessage(cancellationToken));
        }
        catch
        {
            _spares.Finish(null);
            throw;
        }
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
        List<MessageId> ids = await Task.Run(() => _paths.Scan(kind), cancellationToken);
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
        string envelopePath = _paths.Of(id, SpoolFileKind.Envelope);
        if (!File.Exists(envelopePath))
        {
            return null;
        }

        OwnerLock? ownerLock;
        try
        {
            ownerLock = _recovery.AcquireForClaim(id);
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

        try
        {
            int errno = _claims.Claim(id, ownerLock);
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
            string busyPath = _paths.Of(id, SpoolFileKind.EnvelopeBusy);
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
        List<MessageId> failed = await Task.Run(() => _paths.Scan(SpoolFileKind.EnvelopeBad), cancellationToken);
        int count = 0;
        foreach (MessageId id in failed)
        {
            try
            {
                File.Move(_paths.Of(id, SpoolFileKind.EnvelopeBad), _paths.Of(id, SpoolFileKind.Envelope), overwrite: true);
                count++;
            }
            catch (Exception exception) when (SpoolErrors.IsIo(exception))
            {
                Log.CleanupFailed(Logger, _paths.Of(id, SpoolFileKind.EnvelopeBad), exception.Message);
            }
        }

        if (count > 0)
        {
            await SyncDirectoryAsync(default);
            OnChanged();
        }

        return count;
    }

    /// <inheritdoc />
    /// <remarks>The crash-state table is at <see cref="SpoolRecovery.RecoverAll"/>. What was put back is synced before this returns.</remarks>
    public async ValueTask<int> RecoverAsync(CancellationToken cancellationToken)
    {
        int recovered = await Task.Run(() => _recovery.RecoverAll(cancellationToken), cancellationToken);
        if (SharedContentDirectory is null)
        {
            // The --pop-by-name user directories, whatever the relay's mode (their POP sessions may have died too).
            foreach (string user in await Task.Run(UserDirectories, cancellationToken))
            {
                if (ForUser(user) is { } userSpool)
                {
                    recovered += await userSpool.RecoverAsync(cancellationToken);
                }
            }
        }

        if (recovered > 0)
        {
            await SyncDirectoryAsync(default);
            OnChanged();
        }

        return recovered;
    }

    /// <inheritdoc />
    public IClaimGroup CreateClaimGroup() => new FileClaimGroup(this, _timeProvider);

    /// <inheritdoc />
    /// <remarks>
    /// The user's subdirectory of this spool (created if missing), sharing its file allocator, with this directory as its
    /// <see cref="SharedContentDirectory"/>. A name that is not a plain directory name, or is the pool's, has none.
    /// </remarks>
    public IMessageSpool? ForUser(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Length == 0 || user is "." or ".." || user == FilePool.DirectoryName ||
            user.IndexOfAny(['/', '\\', '\0']) >= 0 || System.Text.Encoding.UTF8.GetByteCount(user) > 255)
        {
            return null;
        }

        string directory = Path.Combine(Directory, user);
        try
        {
            System.IO.Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (SpoolErrors.IsIo(e))
        {
            Log.CleanupFailed(Logger, directory, e.Message);
            return null;
        }

        return new FileSpool(directory, Logger, _timeProvider) { SharedContentDirectory = Directory, Files = Files, MemoryBacked = MemoryBacked };
    }

    internal void OnChanged() => Changed?.Invoke(this, EventArgs.Empty);

    /// <summary>Waits for a directory fsync covering every rename made so far (shared with concurrent callers); none on tmpfs.</summary>
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

    /// <summary>Removes a file this spool owns through its <see cref="Files"/>; logs a failure other than "already gone".</summary>
    internal void RemoveQuietly(string path)
    {
        int errno;
        try
        {
            errno = Files.Remove(path);
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            Log.CleanupFailed(Logger, path, exception.Message);
            return;
        }

        if (errno is not 0 and not SpoolNative.ENOENT)
        {
            Log.CleanupFailed(Logger, path, "errno " + errno);
        }
    }

    /// <summary>A new message has finished (committed, removed, or its creation failed): its lock goes to the spares or is released.</summary>
    internal void FinishNewMessage(OwnerLock? ownerLock) => _spares.Finish(ownerLock);

    private string[] UserDirectories()
    {
        try
        {
            return [.. System.IO.Directory.EnumerateDirectories(Directory).Select(Path.GetFileName).OfType<string>().Where(name => !name.StartsWith('.'))];
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            Log.CleanupFailed(Logger, Directory, exception.Message);
            return [];
        }
    }

    private (SpoolPaths, MessageClaims, SpoolRecovery, SpareLocks) Parts(SpoolPaths paths)
    {
        var claims = new MessageClaims(paths);
        return (paths, claims, new SpoolRecovery(paths, () => Files, Logger), new SpareLocks(paths, _timeProvider));
    }

    private FileNewMessage CreateNewMessage(CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            MessageId id = MessageIds.Next(_timeProvider);
            OwnerLock? ownerLock = null;
            try
            {
                string lockPath = _paths.Of(id, SpoolFileKind.Lock);
                ownerLock = _spares.Take(lockPath) ?? Files.AcquireLock(lockPath, create: true, exclusive: true, out _);
                if (ownerLock is not null)
                {
                    ownerLock.WriteMarker(OwnerLock.NewMarker);
                    string contentPath = _paths.Of(id, SpoolFileKind.Content);
                    SafeFileHandle? content = Files.TryCreate(contentPath, out int errno);
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
}
