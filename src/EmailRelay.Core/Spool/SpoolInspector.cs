using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;

namespace EmailRelay.Spool;

/// <summary>The state of a message as its envelope file's name says.</summary>
public enum SpoolEntryState
{
    /// <summary><c>.envelope</c>: waiting to be forwarded (queued, or deferred when it has failure reasons).</summary>
    Ready,

    /// <summary><c>.envelope.busy</c>: claimed by a forwarder or a POP session.</summary>
    Locked,

    /// <summary><c>.envelope.bad</c>: failed.</summary>
    Failed,
}

/// <summary>One message's envelope as read by <see cref="SpoolInspector.Read"/>.</summary>
/// <param name="Id">The message id.</param>
/// <param name="State">Which envelope file it was read from.</param>
/// <param name="Envelope">The parsed envelope.</param>
/// <param name="LastWritten">The envelope file's modification time (the last attempt once there was one).</param>
/// <param name="ContentSize">The content file's size in bytes, or -1 when it could not be read.</param>
internal sealed record SpoolEntry(MessageId Id, SpoolEntryState State, Envelope Envelope, DateTimeOffset LastWritten, long ContentSize);

/// <summary>What <see cref="SpoolInspector.DeleteAsync"/> did.</summary>
internal enum SpoolDeleteOutcome
{
    /// <summary>The envelope and content are gone.</summary>
    Deleted,

    /// <summary>No such message.</summary>
    NotFound,

    /// <summary>A forwarder or POP session holds it; nothing was changed.</summary>
    Busy,
}

/// <summary>
/// Read access to one <see cref="FileSpool"/> directory for the web console, and the two single-message verbs it
/// adds to the spool's set: retry (a failed message back to ready, as <c>unfail-all</c> does for one) and delete (a
/// ready or failed message, through the lock and delete verbs). Reads never lock or change a file; a message whose
/// files change meanwhile reads as gone. Thread-safe.
/// </summary>
internal sealed class SpoolInspector(FileSpool spool)
{
    private static readonly (string Suffix, SpoolEntryState State)[] s_envelopes =
    [
        (SpoolNames.EnvelopeSuffix, SpoolEntryState.Ready),
        (SpoolNames.EnvelopeBusySuffix, SpoolEntryState.Locked),
        (SpoolNames.EnvelopeBadSuffix, SpoolEntryState.Failed),
    ];

    /// <summary>The spool directory.</summary>
    public string Directory => spool.Directory;

    /// <summary>
    /// True for a text that can be a message id: letters, digits, <c>.</c>, <c>-</c> and <c>_</c>, not starting with
    /// <c>.</c>, at most 200 characters. Anything else (a path, <c>..</c>) is never looked up.
    /// </summary>
    public static bool IsValidId(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 200 || text[0] == '.' || text.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '.' and not '-' and not '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Lists every message with an envelope (ready, locked or failed) and a content file, by one directory listing
    /// and without reading any file.
    /// </summary>
    public Dictionary<string, SpoolEntryState> Scan()
    {
        var contents = new HashSet<string>(StringComparer.Ordinal);
        var states = new Dictionary<string, SpoolEntryState>(StringComparer.Ordinal);
        foreach (string path in System.IO.Directory.EnumerateFiles(spool.Directory))
        {
            if (!SpoolNames.TryParse(Path.GetFileName(path), out MessageId id, out SpoolFileKind kind))
            {
                continue;
            }

            switch (kind)
            {
                case SpoolFileKind.Content:
                    contents.Add(id.Value);
                    break;
                case SpoolFileKind.Envelope:
                    states[id.Value] = SpoolEntryState.Ready;
                    break;
                case SpoolFileKind.EnvelopeBusy:
                    states[id.Value] = SpoolEntryState.Locked;
                    break;
                case SpoolFileKind.EnvelopeBad:
                    states[id.Value] = SpoolEntryState.Failed;
                    break;
            }
        }

        foreach (string id in states.Keys.Where(id => !contents.Contains(id)).ToList())
        {
            states.Remove(id);
        }

        return states;
    }

    /// <summary>Reads one message's envelope, whatever its state; null when it is gone or unreadable.</summary>
    public SpoolEntry? Read(MessageId id)
    {
        if (!IsValidId(id.Value))
        {
            return null;
        }

        // Ready, then busy, then bad: a message moves along that order, so a rename meanwhile is caught by the next try.
        foreach (var (suffix, state) in s_envelopes)
        {
            string path = Path.Combine(spool.Directory, id.Value + suffix);
            try
            {
                var info = new FileInfo(path);
                if (!info.Exists || info.Length > 1024 * 1024)
                {
                    continue;
                }

                var result = EnvelopeFormat.Read(File.ReadAllBytes(path));
                if (result.Envelope is null)
                {
                    return null;
                }

                var content = new FileInfo(Path.Combine(spool.Directory, id.Value + SpoolNames.ContentSuffix));
                return new SpoolEntry(id, state, result.Envelope, info.LastWriteTimeUtc, content.Exists ? content.Length : -1);
            }
            catch (Exception exception) when (SpoolErrors.IsIo(exception))
            {
                // Renamed or removed between the check and the read: try the next name.
            }
        }

        return null;
    }

    /// <summary>Opens the content for reading (shared, read-only), or null when it is gone.</summary>
    public Stream? OpenContent(MessageId id)
    {
        if (!IsValidId(id.Value))
        {
            return null;
        }

        try
        {
            return new FileStream(Path.Combine(spool.Directory, id.Value + SpoolNames.ContentSuffix), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096);
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            return null;
        }
    }

    /// <summary>
    /// Returns one failed message to the ready state (<c>.envelope.bad</c> to <c>.envelope</c>, durably), keeping its
    /// Reason lines; false when it is not failed (gone, or already ready).
    /// </summary>
    public async ValueTask<bool> RetryAsync(MessageId id, CancellationToken cancellationToken)
    {
        if (!IsValidId(id.Value))
        {
            return false;
        }

        try
        {
            File.Move(Path.Combine(spool.Directory, id.Value + SpoolNames.EnvelopeBadSuffix), Path.Combine(spool.Directory, id.Value + SpoolNames.EnvelopeSuffix), overwrite: false);
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            return false;
        }

        cancellationToken.ThrowIfCancellationRequested();
        await spool.SyncDirectoryAsync(id);
        spool.OnChanged();
        return true;
    }

    /// <summary>
    /// Deletes a ready or failed message through the spool's verbs: a failed one is first returned to ready, then it is
    /// claimed (<see cref="FileSpool.TryLockAsync"/>) and deleted (envelope first, then content), so a forwarder or POP
    /// session that holds it is never disturbed (the result is then <see cref="SpoolDeleteOutcome.Busy"/>).
    /// </summary>
    public async ValueTask<SpoolDeleteOutcome> DeleteAsync(MessageId id, CancellationToken cancellationToken)
    {
        if (!IsValidId(id.Value))
        {
            return SpoolDeleteOutcome.NotFound;
        }

        string bad = Path.Combine(spool.Directory, id.Value + SpoolNames.EnvelopeBadSuffix);
        if (File.Exists(bad))
        {
            try
            {
                File.Move(bad, Path.Combine(spool.Directory, id.Value + SpoolNames.EnvelopeSuffix), overwrite: false);
            }
            catch (Exception exception) when (SpoolErrors.IsIo(exception))
            {
                return File.Exists(bad) ? SpoolDeleteOutcome.Busy : SpoolDeleteOutcome.NotFound;
            }
        }

        await using var message = await spool.TryLockAsync(id, cancellationToken);
        if (message is null)
        {
            return File.Exists(Path.Combine(spool.Directory, id.Value + SpoolNames.EnvelopeBusySuffix)) ? SpoolDeleteOutcome.Busy : SpoolDeleteOutcome.NotFound;
        }

        await message.DeleteAsync(cancellationToken);
        return SpoolDeleteOutcome.Deleted;
    }
}
