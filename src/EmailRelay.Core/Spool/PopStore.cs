using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Spool;

/// <summary>
/// The POP3 server's view of the spool (reference §f): the main spool, or with <c>--pop-by-name</c>
/// the user's subdirectory (created if missing), whose content comes from the subdirectory or else the
/// main spool. Differences 4: opening a maildrop claims every listed message with the forwarder's
/// rename lock, so a message is never both forwarded and retrieved.
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

    /// <summary><c>--pop-no-delete</c>.</summary>
    public bool NoDelete { get; }

    /// <summary>
    /// Opens <paramref name="user"/>'s maildrop: lists the ready envelopes and locks each one (those
    /// another process holds are left out). Returns null if the user cannot have a maildrop (a by-name
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

            spool = new FileSpool(directory, _logger, _timeProvider) { SharedContentDirectory = _spool.Directory, Pool = _spool.Pool };
        }

        var ids = new List<MessageId>();
        await foreach (var id in spool.ListAsync(SpoolView.Ready, cancellationToken))
        {
            ids.Add(id);
        }

        // Differences 4: the forwarder's locks, taken for the whole maildrop in one batch.
        var stale = new List<MessageId>();
        var slots = await PopLocks.LockAsync(spool, ids, stale);
        foreach (var id in stale)
        {
            // A dead owner's sidecar: the spool's own lock path recovers it, then it is ours.
            try
            {
                if (await spool.TryLockAsync(id, cancellationToken) is { } message)
                {
                    var contentPath = message is ISpoolFiles files ? files.ContentPath : spool.ContentPathOf(id);
                    slots[ids.IndexOf(id)] = new PopMaildrop.Entry(id, contentPath, ContentSize(message))
                    {
                        Fallback = message,
                        IsSharedContent = message is FileStoredMessage { IsSharedContent: true },
                    };
                }
            }
            catch (SpoolException e)
            {
                Log.PopSkipped(_logger, id.Value, e.Message);
            }
        }

        var messages = slots.Where(e => e is not null).Select(e => e!).ToList();
        return new PopMaildrop(this, spool, messages);
    }

    /// <summary>By name, after a delete: shared content goes only with the last envelope naming it (reference §f).</summary>
    internal void RemoveSharedContentIfUnnamed(MessageId id, string contentPath)
    {
        if (!IsNamedAnywhere(id))
        {
            _spool.DeleteQuietly(contentPath);
            Log.PopSharedContentRemoved(_logger, contentPath);
        }
    }

    private static long ContentSize(IStoredMessage message)
    {
        if (message is ISpoolFiles files)
        {
            try
            {
                return new FileInfo(files.ContentPath).Length;
            }
            catch (Exception e) when (SpoolErrors.IsIo(e))
            {
                return 0;
            }
        }

        using var content = message.OpenContent();
        return content.Length;
    }

    // Reference §f: shared content stays while an envelope with the same name remains in the main
    // spool or any user directory (any state: ready, locked, failed, still being written, or between
    // ready and locked at our claim name).
    private bool IsNamedAnywhere(MessageId id)
    {
        var names = new[] { SpoolFileKind.Envelope, SpoolFileKind.EnvelopeBusy, SpoolFileKind.EnvelopeBad, SpoolFileKind.EnvelopeNew }
            .Select(kind => SpoolNames.FileName(id, kind))
            .Append(id.Value + FileSpool.ClaimSuffix)
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
