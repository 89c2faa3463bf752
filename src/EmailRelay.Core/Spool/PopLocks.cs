using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;

namespace EmailRelay.Spool;

/// <summary>
/// The POP maildrop's batch lock, unlock and delete (differences 4), the same protocol as
/// <see cref="FileSpool.TryLockAsync"/> and <see cref="FileStoredMessage"/> so the forwarder, recovery and
/// other processes see no difference: per message, the <c>&lt;id&gt;.lock</c> sidecar's <c>flock</c>, then
/// <see cref="MessageClaims.Claim(MessageId, OwnerLock)"/> (<c>.envelope</c> → <c>.envelope.claim</c> → <c>.envelope.busy</c>, the
/// first rename decides who wins); unlock is <see cref="MessageClaims.Release"/> and the release; delete
/// removes the envelope (the commit, before QUIT's reply), then the content, then the sidecar (after it). What differs is the cost: a whole maildrop in a few blocking work items with raw
/// system calls, no envelope re-read (POP does not need it), one directory sync per batch, and one
/// <see cref="FileSpool.Changed"/> event per batch.
/// </summary>
internal static class PopLocks
{
    /// <summary>Messages per blocking work item of unlock and delete (several run at once; operations on one directory serialize in the kernel anyway).</summary>
    internal const int ChunkSize = 1024;

    /// <summary>
    /// Messages locked before a login is answered (those another owner holds are left out of the listing). A larger
    /// maildrop's other messages are locked while the session goes on, so its login does not wait for them: on this
    /// project's build machine a lock costs about 50 us, and up to a millisecond on a file system busy freeing inodes.
    /// </summary>
    internal const int EagerLockCount = 1024;

    /// <summary>Messages per step of a maildrop's background locking, in listing order: RETR of message n waits for n's step.</summary>
    internal const int LockStepSize = 128;

    /// <summary>
    /// The maildrop's listing: for each id, its content path and size (stat'ed now: a committed content file does not
    /// change), nothing locked yet. Runs on a blocking worker.
    /// </summary>
    public static async Task<List<PopMaildrop.Entry>> ListAsync(FileSpool spool, IReadOnlyList<MessageId> ids)
    {
        var entries = new List<PopMaildrop.Entry>(ids.Count);
        await SpoolFile.RunBlocking(() =>
        {
            foreach (var id in ids)
            {
                string contentPath = spool.Paths.Content(id);
                long size = SpoolNative.TryStat(contentPath, out SpoolNative.FileStatus status) ? status.Size : 0;
                entries.Add(new PopMaildrop.Entry(id, contentPath, size) { IsSharedContent = spool.Paths.IsShared(contentPath) });
            }
        });
        return entries;
    }

    /// <summary>
    /// Locks <paramref name="entries"/>[<paramref name="from"/>..<paramref name="to"/>) in place (their <see cref="PopMaildrop.Entry.Lock"/>),
    /// leaving unlocked those held by someone else or gone. An entry whose sidecar carries a dead owner's marker is
    /// added to <paramref name="stale"/>, for <see cref="FileSpool.TryLockAsync"/> to recover. On an unexpected error
    /// the entries this call locked are unlocked again and the error is thrown.
    /// </summary>
    public static async Task LockAsync(FileSpool spool, IReadOnlyList<PopMaildrop.Entry> entries, int from, int to, List<PopMaildrop.Entry> stale)
    {
        try
        {
            await SpoolFile.RunBlocking(() =>
            {
                for (int i = from; i < to; i++)
                {
                    entries[i].Lock = TryLock(spool, entries[i], stale);
                }
            });
        }
        catch
        {
            var locked = new List<PopMaildrop.Entry>();
            for (int i = from; i < to; i++)
            {
                if (entries[i].Lock is not null)
                {
                    locked.Add(entries[i]);
                }
            }

            await UnlockAsync(spool, locked);
            throw;
        }
    }

    /// <summary>Returns every entry still held (neither deleted nor finished) to the ready state, then raises one <see cref="FileSpool.Changed"/> if there was any.</summary>
    public static async Task UnlockAsync(FileSpool spool, IReadOnlyList<PopMaildrop.Entry> entries)
    {
        var held = entries.Where(e => !e.Finished && !e.Deleted && e.Lock is not null).ToArray();
        if (held.Length > 0)
        {
            await ForChunks(held, entry => Unlock(spool, entry));
        }

        var fallbacks = entries.Where(e => !e.Finished && e.Fallback is not null).ToArray();
        foreach (var entry in fallbacks)
        {
            entry.Finished = true;
            await entry.Fallback!.DisposeAsync();
        }

        if (held.Length + fallbacks.Length > 0)
        {
            spool.OnChanged();
        }
    }

    /// <summary>
    /// QUIT's commit: removes each entry's envelope (one rename into the pool, or an unlink) and syncs the directory
    /// once. The entries removed are marked <see cref="PopMaildrop.Entry.Deleted"/>, the ones that failed are left as
    /// they were. Their content and sidecar are left for <see cref="FinishDeletesAsync"/>, which can run after the
    /// client has its reply: with the envelope gone the message is gone (a crash in between leaves only files that
    /// recovery removes).
    /// </summary>
    public static async Task DeleteAsync(FileSpool spool, IReadOnlyList<PopMaildrop.Entry> entries)
    {
        await ForChunks([.. entries.Where(e => e.Lock is not null)], entry => CommitDelete(spool, entry));
        foreach (var entry in entries.Where(e => e.Fallback is not null))
        {
            try
            {
                await entry.Fallback!.DeleteAsync(CancellationToken.None);
                entry.Deleted = true;
                entry.Finished = true;
            }
            catch (SpoolException e)
            {
                Log.PopDeleteFailed(spool.Logger, entry.Id.Value, e.Message);
            }
        }

        await SyncDirectoryAsync(spool);
    }

    /// <summary>Removes what <see cref="DeleteAsync"/> left of each deleted entry: the envelope file's data, the content (unless shared), and the sidecar.</summary>
    public static Task FinishDeletesAsync(FileSpool spool, IReadOnlyList<PopMaildrop.Entry> entries)
    {
        var deleted = entries.Where(e => e.Deleted && !e.Finished).ToArray();
        return deleted.Length == 0 ? Task.CompletedTask : ForChunks(deleted, entry => FinishDelete(spool, entry));
    }

    private static OwnerLock? TryLock(FileSpool spool, PopMaildrop.Entry entry, List<PopMaildrop.Entry> stale)
    {
        var id = entry.Id;
        OwnerLock? ownerLock;
        try
        {
            ownerLock = spool.Files.AcquireLock(spool.Paths.Of(id, SpoolFileKind.Lock), create: true, exclusive: false, out _);
        }
        catch (IOException e)
        {
            Log.PopSkipped(spool.Logger, id.Value, e.Message);
            return null;
        }

        if (ownerLock is null)
        {
            // Another owner (the forwarder, another POP session) holds it.
            return null;
        }

        try
        {
            if (ownerLock.ReadMarker().Length > 0)
            {
                // A dead owner's marker: close without clearing it, so the spool's own lock path recovers it.
                ownerLock.Dispose();
                stale.Add(entry);
                return null;
            }

            if (spool.Claims.Claim(id, ownerLock) != 0)
            {
                // Lost the rename race (or the message has gone): someone else has it.
                ownerLock.Release();
                return null;
            }
        }
        catch (IOException e)
        {
            ownerLock.Release();
            Log.PopSkipped(spool.Logger, id.Value, e.Message);
            return null;
        }

        return ownerLock;
    }

    private static void Unlock(FileSpool spool, PopMaildrop.Entry entry)
    {
        var ownerLock = entry.Lock!;
        entry.Finished = true;
        try
        {
            int errno = spool.Claims.Release(entry.Id, ownerLock, SpoolFileKind.Envelope);
            if (errno != 0)
            {
                Log.CleanupFailed(spool.Logger, spool.Paths.Of(entry.Id, SpoolFileKind.EnvelopeBusy), "rename: errno " + errno);
            }
        }
        catch (IOException e)
        {
            Log.CleanupFailed(spool.Logger, ownerLock.Path, e.Message);
        }
        finally
        {
            ownerLock.Release();
        }
    }

    private static void CommitDelete(FileSpool spool, PopMaildrop.Entry entry)
    {
        int errno = spool.Files.Retire(spool.Paths.Of(entry.Id, SpoolFileKind.EnvelopeBusy), out string? dirty);
        if (errno is not 0 and not SpoolNative.ENOENT)
        {
            Log.PopDeleteFailed(spool.Logger, entry.Id.Value, "cannot delete message: errno " + errno);
            return;
        }

        entry.RetiredEnvelope = dirty;
        entry.Deleted = true;
    }

    private static void FinishDelete(FileSpool spool, PopMaildrop.Entry entry)
    {
        entry.Finished = true;
        try
        {
            if (entry.RetiredEnvelope is { } dirty)
            {
                spool.Files.Reclaim(dirty);
            }

            int errno;
            if (!entry.IsSharedContent && (errno = spool.Files.Remove(entry.ContentPath)) is not 0 and not SpoolNative.ENOENT)
            {
                Log.CleanupFailed(spool.Logger, entry.ContentPath, "errno " + errno);
            }
        }
        catch (Exception e) when (SpoolErrors.IsIo(e))
        {
            Log.CleanupFailed(spool.Logger, entry.ContentPath, e.Message);
        }
        finally
        {
            entry.Lock!.Release();
        }
    }

    /// <summary>Syncs the spool directory (after a maildrop's locking or deletes); errors are logged, not thrown.</summary>
    internal static async Task SyncDirectoryAsync(FileSpool spool)
    {
        try
        {
            await spool.DirectorySync.SyncAsync();
        }
        catch (Exception e) when (SpoolErrors.IsIo(e))
        {
            Log.CleanupFailed(spool.Logger, spool.Directory, e.Message);
        }
    }

    private static Task ForChunks(PopMaildrop.Entry[] entries, Action<PopMaildrop.Entry> action)
    {
        var work = new List<Task>();
        for (int start = 0; start < entries.Length; start += ChunkSize)
        {
            int from = start;
            work.Add(SpoolFile.RunBlocking(() =>
            {
                int end = Math.Min(entries.Length, from + ChunkSize);
                for (int i = from; i < end; i++)
                {
                    action(entries[i]);
                }
            }));
        }

        return Task.WhenAll(work);
    }
}
