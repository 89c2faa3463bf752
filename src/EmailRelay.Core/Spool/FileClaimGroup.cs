using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;

namespace EmailRelay.Spool;

/// <summary>
/// A <see cref="FileSpool"/>'s claim group (a POP session), the same protocol as <see cref="FileSpool.TryLockAsync"/>
/// so the forwarder, recovery and other processes see no difference, with one owner lock for the whole group: the
/// group's <see cref="SessionLock"/> is one flocked sidecar with the <c>busy</c> marker, and each message it claims gets
/// its <c>&lt;id&gt;.lock</c> as a hard link to it (<c>link(2)</c> fails if the message has a sidecar already: another
/// owner's, or a dead one's, which is recovered and the link tried again). A flock belongs to the file, so every link
/// is locked while the group lives, and none after it dies; recovery then sees a marked sidecar beside each claimed
/// message and puts it back (<see cref="SpoolRecovery"/>), removing only that message's link. Then, per message, the
/// claim renames (<see cref="MessageClaims"/>) with the marker already set; a release renames back and, after the
/// directory sync, removes the link (a marked sidecar beside a ready envelope is a state recovery knows); a delete removes the envelope (the commit, synced before the reply), then the
/// content, then the link. The group holds one descriptor however many messages it has, and a content descriptor only
/// while the caller reads it.
/// </summary>
internal sealed class FileClaimGroup : IClaimGroup
{
    /// <summary>Messages per blocking work item (several run at once; operations on one directory serialize in the kernel anyway).</summary>
    internal const int ChunkSize = 1024;

    private readonly FileSpool _spool;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Claim> _claims = new(StringComparer.Ordinal);
    private OwnerLock? _sessionLock;
    private bool _disposed;

    public FileClaimGroup(FileSpool spool, TimeProvider timeProvider)
    {
        _spool = spool;
        _timeProvider = timeProvider;
    }

    /// <summary>The group's shared owner lock, made at the first claim (null before; tests).</summary>
    internal OwnerLock? SessionLock => _sessionLock;

    /// <inheritdoc />
    public async ValueTask<long[]> SizesAsync(IReadOnlyList<MessageId> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var sizes = new long[ids.Count];
        await SpoolFile.RunBlocking(() =>
        {
            for (int i = 0; i < ids.Count; i++)
            {
                sizes[i] = SpoolNative.TryStat(_spool.Paths.Content(ids[i]), out SpoolNative.FileStatus status) ? status.Size : 0;
            }
        });
        return sizes;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Not synced: a power loss that undoes a claim leaves the message ready, or in a state recovery reads (the
    /// journaling file systems keep the order of operations on one directory), which is what it becomes anyway when
    /// the session is gone.
    /// </remarks>
    public async ValueTask<bool[]> ClaimAsync(IReadOnlyList<MessageId> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var claimed = new bool[ids.Count];
        await SpoolFile.RunBlocking(() =>
        {
            for (int i = 0; i < ids.Count && !cancellationToken.IsCancellationRequested; i++)
            {
                claimed[i] = TryClaim(ids[i]);
            }
        });
        return claimed;
    }

    /// <inheritdoc />
    public Stream OpenContent(MessageId id)
    {
        Claim claim = Held(id) ?? throw new SpoolException(id, "not claimed");
        return new ContentReadStream(SpoolNative.OpenReadOnly(claim.ContentPath, out int errno)
            ?? throw new SpoolException(id, "cannot open content file: errno " + errno));
    }

    /// <inheritdoc />
    public async ValueTask<bool[]> DeleteAsync(IReadOnlyList<MessageId> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var doomed = ids.Select(Held).ToArray();
        await ForChunks([.. doomed.OfType<Claim>().Distinct()], CommitDelete);
        await SyncDirectoryAsync();
        foreach (Claim claim in doomed.OfType<Claim>().Where(c => c.Deleted && c.IsShared).Distinct())
        {
            RemoveSharedContentIfUnnamed(claim);
        }

        return [.. doomed.Select(c => c is { Deleted: true })];
    }

    /// <inheritdoc />
    /// <remarks>The releases are followed by one directory sync (issue 24: otherwise a power loss after QUIT's reply could bring the messages back as <c>.envelope.busy</c> with no sidecar, which nobody takes).</remarks>
    public async ValueTask ReleaseAllAsync(CancellationToken cancellationToken)
    {
        Claim[] held;
        lock (_gate)
        {
            held = [.. _claims.Values.Where(c => !c.Finished && !c.Deleted)];
        }

        if (held.Length == 0)
        {
            return;
        }

        // The links go only once the renames are on disk: until then a power loss leaves each message beside its marked
        // sidecar, which recovery puts back, never a .busy without a sidecar, which nobody would take.
        await ForChunks(held, Release);
        await SyncDirectoryAsync();
        await ForChunks([.. held.Where(c => !c.ReleaseFailed)], claim => _ = SpoolNative.TryUnlink(_spool.Paths.Of(claim.Id, SpoolFileKind.Lock), out _));
        _spool.OnChanged();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            Claim[] deleted;
            lock (_gate)
            {
                deleted = [.. _claims.Values.Where(c => c.Deleted && !c.Finished)];
            }

            await ForChunks(deleted, FinishDelete);
            await ReleaseAllAsync(CancellationToken.None);
        }
        finally
        {
            ReleaseSessionLock();
        }
    }

    private Claim? Held(MessageId id)
    {
        lock (_gate)
        {
            return _claims.TryGetValue(id.Value, out Claim? claim) && !claim.Finished && !claim.Deleted ? claim : null;
        }
    }

    private bool TryClaim(MessageId id)
    {
        OwnerLock session;
        string lockPath = _spool.Paths.Of(id, SpoolFileKind.Lock);
        try
        {
            session = EnsureSessionLock();
            if (!TryLink(session, id, lockPath))
            {
                return false;
            }
        }
        catch (Exception e) when (SpoolErrors.IsIo(e))
        {
            Log.PopSkipped(_spool.Logger, id.Value, e.Message);
            return false;
        }

        try
        {
            if (_spool.Claims.Claim(id, session, markBusy: false) != 0)
            {
                // Lost the rename race (or the message has gone): someone else has it.
                _ = SpoolNative.TryUnlink(lockPath, out _);
                return false;
            }
        }
        catch (IOException e)
        {
            _ = SpoolNative.TryUnlink(lockPath, out _);
            Log.PopSkipped(_spool.Logger, id.Value, e.Message);
            return false;
        }

        string contentPath = _spool.Paths.Content(id);
        lock (_gate)
        {
            _claims[id.Value] = new Claim(id, contentPath, _spool.Paths.IsShared(contentPath));
        }

        return true;
    }

    // The message's sidecar name as a link to the session lock; a dead owner's sidecar there is recovered first.
    private bool TryLink(OwnerLock session, MessageId id, string lockPath)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                HardLinks.Create(session.Path, lockPath);
                return true;
            }
            catch (IOException e) when (e.HResult == SpoolNative.EEXIST && attempt == 0)
            {
                // A live owner's (the forwarder, another session): not ours. A dead owner's: recovered, removed, linked again.
                OwnerLock? other = _spool.Recovery.AcquireForClaim(id);
                if (other is null)
                {
                    return false;
                }

                other.Release();
            }
            catch (IOException e) when (e.HResult == SpoolNative.EEXIST)
            {
                return false;
            }
        }
    }

    private OwnerLock EnsureSessionLock()
    {
        if (_sessionLock is { } existing)
        {
            return existing;
        }

        for (int attempt = 0; attempt < 100; attempt++)
        {
            OwnerLock? made = _spool.Files.AcquireLock(_spool.Paths.Of(MessageIds.Next(_timeProvider), SpoolFileKind.Lock), create: true, exclusive: true, out _);
            if (made is not null)
            {
                made.WriteMarker(OwnerLock.BusyMarker);
                return _sessionLock = made;
            }
        }

        throw new IOException("cannot allocate a session lock in \"" + _spool.Directory + "\"");
    }

    private void ReleaseSessionLock()
    {
        if (_sessionLock is not { } session)
        {
            return;
        }

        _sessionLock = null;
        if (session.LinkCount <= 1)
        {
            session.Release();
            return;
        }

        // A message whose release failed still links to it: its marker stays, for recovery once the flock is gone.
        _ = SpoolNative.TryUnlink(session.Path, out _);
        session.Dispose();
    }

    private void Release(Claim claim)
    {
        claim.Finished = true;
        string lockPath = _spool.Paths.Of(claim.Id, SpoolFileKind.Lock);
        try
        {
            int errno = _spool.Claims.Release(claim.Id, _sessionLock!, SpoolFileKind.Envelope, unmark: static () => { });
            if (errno != 0)
            {
                claim.ReleaseFailed = true;
                Log.CleanupFailed(_spool.Logger, _spool.Paths.Of(claim.Id, SpoolFileKind.EnvelopeBusy), "rename: errno " + errno);
            }
        }
        catch (IOException e)
        {
            claim.ReleaseFailed = true;
            Log.CleanupFailed(_spool.Logger, lockPath, e.Message);
        }
    }

    private void CommitDelete(Claim claim)
    {
        int errno = _spool.Files.Retire(_spool.Paths.Of(claim.Id, SpoolFileKind.EnvelopeBusy), out string? dirty);
        if (errno is not 0 and not SpoolNative.ENOENT)
        {
            Log.PopDeleteFailed(_spool.Logger, claim.Id.Value, "cannot delete message: errno " + errno);
            return;
        }

        claim.RetiredEnvelope = dirty;
        claim.Deleted = true;
    }

    private void FinishDelete(Claim claim)
    {
        claim.Finished = true;
        try
        {
            if (claim.RetiredEnvelope is { } dirty)
            {
                _spool.Files.Reclaim(dirty);
            }

            int errno;
            if (!claim.IsShared && (errno = _spool.Files.Remove(claim.ContentPath)) is not 0 and not SpoolNative.ENOENT)
            {
                Log.CleanupFailed(_spool.Logger, claim.ContentPath, "errno " + errno);
            }
        }
        catch (Exception e) when (SpoolErrors.IsIo(e))
        {
            Log.CleanupFailed(_spool.Logger, claim.ContentPath, e.Message);
        }
        finally
        {
            _ = SpoolNative.TryUnlink(_spool.Paths.Of(claim.Id, SpoolFileKind.Lock), out _);
        }
    }

    // By name, after a delete: shared content goes only with the last envelope naming it (reference §f), in the main
    // spool or any user directory, in any state (ready, locked, failed, still being written, or at our claim name).
    private void RemoveSharedContentIfUnnamed(Claim claim)
    {
        if (_spool.SharedContentDirectory is not { } main)
        {
            return;
        }

        var names = new[] { SpoolFileKind.Envelope, SpoolFileKind.EnvelopeBusy, SpoolFileKind.EnvelopeBad, SpoolFileKind.EnvelopeNew }
            .Select(kind => SpoolNames.FileName(claim.Id, kind))
            .Append(claim.Id.Value + SpoolPaths.ClaimSuffix)
            .ToArray();
        bool NamedIn(string directory) => names.Any(name => File.Exists(Path.Combine(directory, name)));
        try
        {
            if (NamedIn(main) || Directory.EnumerateDirectories(main).Any(NamedIn))
            {
                return;
            }
        }
        catch (Exception e) when (SpoolErrors.IsIo(e))
        {
            // When in doubt, keep the content.
            return;
        }

        _spool.Recovery.DeleteQuietly(claim.ContentPath);
        Log.PopSharedContentRemoved(_spool.Logger, claim.ContentPath);
    }

    private async Task SyncDirectoryAsync()
    {
        try
        {
            await _spool.SyncDirectoryAsync(default);
        }
        catch (SpoolException e)
        {
            Log.CleanupFailed(_spool.Logger, _spool.Directory, e.Message);
        }
    }

    private static Task ForChunks(Claim[] claims, Action<Claim> action)
    {
        if (claims.Length == 0)
        {
            return Task.CompletedTask;
        }

        var work = new List<Task>();
        for (int start = 0; start < claims.Length; start += ChunkSize)
        {
            int from = start;
            work.Add(SpoolFile.RunBlocking(() =>
            {
                int end = Math.Min(claims.Length, from + ChunkSize);
                for (int i = from; i < end; i++)
                {
                    action(claims[i]);
                }
            }));
        }

        return Task.WhenAll(work);
    }

    private sealed class Claim(MessageId id, string contentPath, bool isShared)
    {
        public MessageId Id { get; } = id;

        public string ContentPath { get; } = contentPath;

        public bool IsShared { get; } = isShared;

        public bool Deleted { get; set; }

        public string? RetiredEnvelope { get; set; }

        public bool Finished { get; set; }

        /// <summary>The release's renames failed: the link stays, for recovery once the group's flock is gone.</summary>
        public bool ReleaseFailed { get; set; }
    }
}
