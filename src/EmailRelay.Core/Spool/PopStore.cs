using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Spool;

/// <summary>
/// The POP3 server's view of the spool (reference §f): the main spool, or with <c>--pop-by-name</c>
/// the user's subdirectory (created if missing), whose content comes from the subdirectory or else the
/// main spool. Differences 4: opening a maildrop claims every listed message with the forwarder's
/// rename lock, so a message is never both forwarded and retrieved. Beyond the first
/// <see cref="PopLocks.EagerLockCount"/>, the claims are taken in listing order while the session goes on (see
/// <see cref="PopMaildrop"/>), so a large maildrop's login does not wait for them.
/// </summary>
internal sealed class PopStore
{
    private readonly FileSpool _spool;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the store over <paramref name="spool"/>.</summary>
    public PopStore(FileSpool spool, bool byName, bool noDelete, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(spool);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _spool = spool;
        _logger = spool.Logger;
        _timeProvider = timeProvider;
        ByName = byName;
        NoDelete = noDelete;
    }

    /// <summary><c>--pop-by-name</c>.</summary>
    public bool ByName { get; }

    /// <summary>How many listed messages are locked before a login is answered (<see cref="PopLocks.EagerLockCount"/>; tests set fewer).</summary>
    internal int EagerLocks { get; init; } = PopLocks.EagerLockCount;

    /// <summary><c>--pop-no-delete</c>.</summary>
    public bool NoDelete { get; }

    /// <summary>
    /// Opens <paramref name="user"/>'s maildrop: lists the ready envelopes, locks the first ones (leaving out those
    /// another process holds) and starts locking the rest (of which those another process takes first become unavailable). Returns null if the user cannot have a maildrop (a by-name
    /// id that is not a plain directory name) or the directory cannot be made. Dispose the maildrop to
    /// unlock whatever it still holds.
    /// </summary>
    public async Task<PopMaildrop?> OpenAsync(string user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var spool = _spool;
        if (ByName)
        {
            if (!IsDirectoryName(user))
            {
                return null;
            }

            string directory = Path.Combine(_spool.Directory, user);
            try
            {
                Directory.CreateDirectory(directory);
            }
            catch (Exception e) when (SpoolErrors.IsIo(e))
            {
                Log.CleanupFailed(_logger, directory, e.Message);
                return null;
            }

            spool = new FileSpool(directory, _logger, _timeProvider) { SharedContentDirectory = _spool.Directory, Files = _spool.Files };
        }

        var ids = new List<MessageId>();
        await foreach (var id in spool.ListAsync(SpoolView.Ready, cancellationToken))
        {
            ids.Add(id);
        }

        // Differences 4: the forwarder's locks on every listed message. The first ones before the login is answered,
        // leaving out those another owner holds; the rest in listing order while the session goes on.
        var listed = await PopLocks.ListAsync(spool, ids);
        int eager = Math.Min(listed.Count, EagerLocks);
        await LockRangeAsync(spool, listed, 0, eager, cancellationToken);
        var entries = listed.Take(eager).Where(e => e.Lock is not null || e.Fallback is not null).ToList();
        int firstPending = entries.Count;
        entries.AddRange(listed.Skip(eager));
        var maildrop = new PopMaildrop(this, spool, entries, firstPending);
        maildrop.StartLocking();
        return maildrop;
    }

    /// <summary>
    /// Locks <paramref name="entries"/>[<paramref name="from"/>..<paramref name="to"/>) (<see cref="PopLocks.LockAsync"/>);
    /// one whose sidecar carries a dead owner's marker is recovered through the spool's own lock path, then held.
    /// </summary>
    internal async Task LockRangeAsync(FileSpool spool, IReadOnlyList<PopMaildrop.Entry> entries, int from, int to, CancellationToken cancellationToken)
    {
        var stale = new List<PopMaildrop.Entry>();
        await PopLocks.LockAsync(spool, entries, from, to, stale);
        foreach (var entry in stale)
        {
            await RecoverAsync(spool, entry, cancellationToken);
        }
    }

    private async Task RecoverAsync(FileSpool spool, PopMaildrop.Entry entry, CancellationToken cancellationToken)
    {
        try
        {
            if (await spool.TryLockAsync(entry.Id, cancellationToken) is { } message)
            {
                entry.Fallback = message;
            }
        }
        catch (SpoolException e)
        {
            Log.PopSkipped(_logger, entry.Id.Value, e.Message);
        }
    }

    /// <summary>By name, after a delete: shared content goes only with the last envelope naming it (reference §f).</summary>
    internal void RemoveSharedContentIfUnnamed(MessageId id, string contentPath)
    {
        if (!IsNamedAnywhere(id))
        {
            _spool.Recovery.DeleteQuietly(contentPath);
            Log.PopSharedContentRemoved(_logger, contentPath);
        }
    }

    // Reference §f: shared content stays while an envelope with the same name remains in the main
    // spool or any user directory (any state: ready, locked, failed, still being written, or between
    // ready and locked at our claim name).
    private bool IsNamedAnywhere(MessageId id)
    {
        var names = new[] { SpoolFileKind.Envelope, SpoolFileKind.EnvelopeBusy, SpoolFileKind.EnvelopeBad, SpoolFileKind.EnvelopeNew }
            .Select(kind => SpoolNames.FileName(id, kind))
            .Append(id.Value + SpoolPaths.ClaimSuffix)
            .ToArray();
        bool NamedIn(string directory) => names.Any(name => File.Exists(Path.Combine(directory, name)));
        try
        {
            return NamedIn(_spool.Directory) || Directory.EnumerateDirectories(_spool.Directory).Any(NamedIn);
        }
        catch (Exception e) when (SpoolErrors.IsIo(e))
        {
            // When in doubt, keep the content.
            return true;
        }
    }

    // The spool's free-file pool (FilePool.DirectoryName) is no user's maildrop.
    private static bool IsDirectoryName(string user) =>
        user.Length > 0 && user != "." && user != ".." && user != FilePool.DirectoryName &&
        user.IndexOfAny(['/', '\\', '\0']) < 0 && Encoding.UTF8.GetByteCount(user) <= 255;
}
