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
    /// <summary>How many messages are locked, or deleted, at once.</summary>
    internal const int LockParallelism = 8;

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

            spool = new FileSpool(directory, _logger, _timeProvider) { SharedContentDirectory = _spool.Directory };
        }

        var ids = new List<MessageId>();
        await foreach (var id in spool.ListAsync(SpoolView.Ready, cancellationToken))
        {
            ids.Add(id);
        }

        // Each lock is a few blocking file operations: claim them several at a time, keeping the list order.
        var slots = new PopMaildrop.Entry?[ids.Count];
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = LockParallelism, CancellationToken = cancellationToken };
            await Parallel.ForAsync(0, ids.Count, parallel, async (i, ct) =>
            {
                try
                {
                    if (await spool.TryLockAsync(ids[i], ct) is { } message)
                    {
                        slots[i] = new PopMaildrop.Entry(message, ContentSize(message), SpoolNames.FileName(ids[i], SpoolFileKind.Content));
                    }
                }
                catch (SpoolException e)
                {
                    Log.PopSkipped(_logger, ids[i].Value, e.Message);
                }
            });
        }
        catch
        {
            foreach (var entry in slots)
            {
                if (entry is not null)
                {
                    await entry.Message.DisposeAsync();
                }
            }

            throw;
        }

        var messages = slots.Where(e => e is not null).Select(e => e!).ToList();
        return new PopMaildrop(this, messages);
    }

    /// <summary>Removes a message the maildrop holds; by name, shared content goes only with the last envelope naming it.</summary>
    internal async ValueTask<bool> DeleteAsync(IStoredMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await message.DeleteAsync(cancellationToken);
        }
        catch (SpoolException e)
        {
            Log.PopDeleteFailed(_logger, message.Id.Value, e.Message);
            return false;
        }

        if (message is FileStoredMessage { IsSharedContent: true } stored && !IsNamedAnywhere(message.Id))
        {
            _spool.DeleteQuietly(stored.ContentPath);
            Log.PopSharedContentRemoved(_logger, stored.ContentPath);
        }

        return true;
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
    // spool or any user directory (any state: ready, locked, failed, still being written).
    private bool IsNamedAnywhere(MessageId id)
    {
        var names = new[] { SpoolFileKind.Envelope, SpoolFileKind.EnvelopeBusy, SpoolFileKind.EnvelopeBad, SpoolFileKind.EnvelopeNew }
            .Select(kind => SpoolNames.FileName(id, kind))
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

    private static bool IsDirectoryName(string user) =>
        user.Length > 0 && user != "." && user != ".." && user.IndexOfAny(['/', '\\', '\0']) < 0 && Encoding.UTF8.GetByteCount(user) <= 255;
}
