using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Spool;

/// <summary>
/// Stale-lock recovery of one spool directory (differences.md 3): puts back what dead owners held and removes what
/// they left half made, by the crash-state table at <see cref="RecoverAll"/>. Acts only on a <c>&lt;id&gt;.lock</c>
/// sidecar whose flock it wins, so it may run at any time, beside live owners, in any of the relay's modes.
/// A sidecar with more than one link is a POP session's shared lock (every message it claimed links to the one
/// locked file, marker <c>busy</c>): recovery of one of its messages never clears the shared marker, it removes
/// only that message's link.
/// </summary>
internal sealed class SpoolRecovery(SpoolPaths paths, Func<IFileAllocator> files, ILogger logger)
{
    /// <summary>
    /// Recovers the stale messages of dead owners (see <see cref="FileSpool"/>'s remarks) and removes orphan lock
    /// files. Never touches a message whose owner is alive, so it may run at any time. Returns how
    /// many messages were recovered or removed.
    /// </summary>
    /// <remarks>
    /// <para>Every "removed", "unlink" and "created" below may be a rename to or from the pool directory (<see cref="PooledFileAllocator"/>),
    /// which has the same atomic effect on the spool directory; recovery first cleans what a crash left in the pool
    /// (<see cref="IFileAllocator.Recover"/>).</para>
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
    /// another program's message, where a locker    lock(∅) .envelope.busy (theirs)         put back, as lock(busy) (see below)
    ///   of ours lost the race or had unlocked      lock(new) .envelope.busy (theirs)       left (committed); sidecar removed
    /// a power loss took the marker                 lock(∅) .envelope.busy                  as lock(busy): .busy -> .claim -> .envelope
    ///                                              lock(∅) [.envelope.new] .content        as lock(new): files removed
    ///                                                (no other envelope name)
    /// no sidecar (a file system that reordered)    .envelope.claim                         sidecar made and taken, then -> .envelope
    /// </code>
    /// <para>Why these are all the states: the marker <c>busy</c> is set only while the message is at our claim
    /// name, and cleared only after it is back there, so lock(busy) beside a <c>.busy</c> always means ours, and a
    /// <c>.envelope</c> (which anyone may take) never stands beside lock(busy). After a SIGKILL the page cache
    /// holds every step the process made, in order. After a power loss: the marker is the sidecar's size (one
    /// <c>ftruncate</c>, metadata, not synced), which a file system that keeps names but not unsynced sizes (LazyFS,
    /// ext4 without a journal) loses while the renames beside it stay; the two "power loss" rows read the marker from
    /// those names. A sidecar exists only for an id of ours, so a lost marker beside a <c>.envelope.busy</c> can be
    /// told from another program's claim only in the moment a locker of ours loses a race to it and has not yet
    /// removed its sidecar: that message is then put back while the other program sends it, which is at least once,
    /// never lost. Otherwise creates, renames, truncates and unlinks in one directory reach the disk
    /// in order on journaling file systems (ext4, XFS, btrfs), so a power loss leaves a state a SIGKILL of every
    /// process could have left, with no flock held: one of the rows above. Data is another matter and is
    /// synced before it is named (differences 1-2). On tmpfs nothing survives a power loss.</para>
    /// </remarks>
    public int RecoverAll(CancellationToken cancellationToken)
    {
        RecoverFiles();
        int recovered = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in Directory.EnumerateFiles(paths.Directory, "*" + SpoolNames.LockSuffix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!SpoolNames.TryParse(Path.GetFileName(path), out MessageId id, out SpoolFileKind kind) || kind != SpoolFileKind.Lock)
            {
                continue;
            }

            seen.Add(id.Value);
            recovered += RecoverOne(id, path, create: false);
        }

        foreach (string path in Directory.EnumerateFiles(paths.Directory, "*" + SpoolPaths.ClaimSuffix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            string name = Path.GetFileName(path);
            var id = new MessageId(name[..^SpoolPaths.ClaimSuffix.Length]);
            if (name.Length > SpoolPaths.ClaimSuffix.Length && !seen.Contains(id.Value))
            {
                // A claim whose sidecar did not reach the disk: take a sidecar for it like any locker.
                recovered += RecoverOne(id, paths.Of(id, SpoolFileKind.Lock), create: true);
            }
        }

        return recovered;
    }

    /// <summary>
    /// Takes <paramref name="id"/>'s owner lock for a new claim: the sidecar's flock (null if a live owner holds it),
    /// with a dead owner's state recovered first. A dead POP session's shared lock is recovered for this message, its
    /// link removed, and a private sidecar taken instead. Throws <see cref="IOException"/>.
    /// </summary>
    public OwnerLock? AcquireForClaim(MessageId id)
    {
        string lockPath = paths.Of(id, SpoolFileKind.Lock);
        for (int attempt = 0; ; attempt++)
        {
            OwnerLock? ownerLock = files().AcquireLock(lockPath, create: true, exclusive: false, out _);
            if (ownerLock is null)
            {
                return null;
            }

            bool shared;
            try
            {
                shared = IsShared(ownerLock);
                string marker = ownerLock.ReadMarker();
                if (marker.Length > 0 || shared)
                {
                    RecoverHeld(id, ownerLock, marker, shared);
                }
            }
            catch
            {
                ReleaseOrUnlink(ownerLock, IsShared(ownerLock));
                throw;
            }

            if (!shared)
            {
                return ownerLock;
            }

            ReleaseOrUnlink(ownerLock, shared: true);
            if (attempt > 0)
            {
                return null;
            }
        }
    }

    private int RecoverOne(MessageId id, string lockPath, bool create)
    {
        try
        {
            OwnerLock? ownerLock = files().AcquireLock(lockPath, create, exclusive: false, out _);
            if (ownerLock is null)
            {
                return 0;
            }

            bool shared = IsShared(ownerLock);
            try
            {
                if (RecoverHeld(id, ownerLock, ownerLock.ReadMarker(), shared))
                {
                    return 1;
                }

                Log.RemovedOrphanLock(logger, lockPath);
                return 0;
            }
            finally
            {
                ReleaseOrUnlink(ownerLock, shared);
            }
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            Log.CleanupFailed(logger, lockPath, exception.Message);
            return 0;
        }
    }

    /// <summary>
    /// Acts on a sidecar whose flock we won and whose marker its dead owner left (the table at <see cref="RecoverAll"/>);
    /// true if a message was put back or removed. A <paramref name="shared"/> lock's marker is left as it is.
    /// </summary>
    public bool RecoverHeld(MessageId id, OwnerLock ownerLock, string marker, bool shared = false)
    {
        bool recovered = false;
        string claim = paths.Claim(id);
        string busy = paths.Of(id, SpoolFileKind.EnvelopeBusy);
        string newPath = paths.Of(id, SpoolFileKind.EnvelopeNew);
        if (marker.Length == 0 && ownerLock.IsEmpty)
        {
            // A marker a power loss took (it is the sidecar's size, not synced): the names beside it say what it was.
            marker = File.Exists(busy) ? OwnerLock.BusyMarker
                : !File.Exists(claim) && !paths.IsNamed(id, SpoolFileKind.Envelope, SpoolFileKind.EnvelopeBad)
                    && (File.Exists(newPath) || File.Exists(paths.Of(id, SpoolFileKind.Content))) ? OwnerLock.NewMarker
                : marker;
        }

        if (marker == OwnerLock.BusyMarker)
        {
            // Through the claim name, as an unlock does: a .envelope never stands beside the busy marker.
            int errno = SpoolNative.Rename(busy, claim);
            if (errno != 0 && errno != SpoolNative.ENOENT)
            {
                throw new IOException("cannot rename \"" + busy + "\": errno " + errno, errno);
            }

            DeleteQuietly(paths.Of(id, SpoolFileKind.EnvelopeBusyTmp));
        }

        if (File.Exists(claim))
        {
            if (!shared)
            {
                ownerLock.WriteMarker("");
            }

            int errno = SpoolNative.Rename(claim, paths.Of(id, SpoolFileKind.Envelope));
            if (errno != 0)
            {
                throw new IOException("cannot rename \"" + claim + "\": errno " + errno, errno);
            }

            Log.RecoveredBusy(logger, marker == OwnerLock.BusyMarker ? busy : claim);
            recovered = true;
        }
        else if (marker == OwnerLock.BusyMarker)
        {
            // Its owner deleted the envelope (delivered) and died before the content.
            if (!paths.IsNamed(id, SpoolFileKind.Envelope, SpoolFileKind.EnvelopeBusy, SpoolFileKind.EnvelopeBad, SpoolFileKind.EnvelopeNew))
            {
                DeleteQuietly(paths.Of(id, SpoolFileKind.Content));
            }
        }
        else if (marker == OwnerLock.NewMarker)
        {
            if (!paths.IsNamed(id, SpoolFileKind.Envelope, SpoolFileKind.EnvelopeBusy, SpoolFileKind.EnvelopeBad))
            {
                string contentPath = paths.Of(id, SpoolFileKind.Content);
                recovered = File.Exists(newPath) || File.Exists(contentPath);
                DeleteQuietly(newPath);
                DeleteQuietly(paths.Of(id, SpoolFileKind.EnvelopeNewTmp));
                DeleteQuietly(contentPath);
                DeleteQuietly(paths.Of(id, SpoolFileKind.ContentTmp));
                if (recovered)
                {
                    Log.RecoveredNew(logger, newPath);
                }
            }
        }

        if (!shared)
        {
            ownerLock.WriteMarker("");
        }

        return recovered;
    }

    /// <summary>Removes a file the spool owns outright; logs a failure other than "already gone".</summary>
    public void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            Log.CleanupFailed(logger, path, exception.Message);
        }
    }

    /// <summary>True if the locked sidecar has other links: a POP session's shared lock.</summary>
    internal static bool IsShared(OwnerLock ownerLock) => ownerLock.LinkCount > 1;

    // A shared lock's other names still guard their messages: only this name goes, the file and its marker stay.
    private static void ReleaseOrUnlink(OwnerLock ownerLock, bool shared)
    {
        if (!shared)
        {
            ownerLock.Release();
            return;
        }

        _ = SpoolNative.TryUnlink(ownerLock.Path, out _);
        ownerLock.Dispose();
    }

    private void RecoverFiles()
    {
        try
        {
            int cleaned = files().Recover();
            if (cleaned > 0)
            {
                Log.PoolRecovered(logger, cleaned);
            }
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            Log.CleanupFailed(logger, paths.Directory, exception.Message);
        }
    }
}
