using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;

namespace EmailRelay.Spool;

/// <summary>
/// A new message made from an existing one in a file spool directory, for the <c>split:</c> filter (reference
/// §c): <see cref="Create"/> allocates a new id (<see cref="MessageIds"/>, the sequence <see cref="FileSpool"/> uses, guarded by
/// the same <c>&lt;id&gt;.lock</c> sidecar so the two never pick the same id) and hard-links the content under it;
/// <see cref="Commit"/> writes the envelope (through <c>.envelope.new</c>, synced, then renamed to
/// <c>.envelope</c>, so a scanner never sees half a file), or <see cref="Prepare"/> and later <see cref="Publish"/>
/// do it in two steps (the <c>new</c> marker sidecar stays held between them). Disposing an uncommitted copy removes it.
/// </summary>
internal sealed class LinkedCopy : IDisposable
{
    private readonly string _directory;
    private OwnerLock? _ownerLock;
    private bool _committed;

    private LinkedCopy(string directory, MessageId id, OwnerLock ownerLock)
    {
        _directory = directory;
        Id = id;
        _ownerLock = ownerLock;
    }

    /// <summary>The new message's id.</summary>
    public MessageId Id { get; }

    /// <summary>Creates a copy of <paramref name="contentPath"/> (hard-linked) under a new id in the same directory.</summary>
    /// <exception cref="IOException">The link or the lock file could not be made.</exception>
    public static LinkedCopy Create(string contentPath, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(contentPath);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var directory = Path.GetDirectoryName(Path.GetFullPath(contentPath))!;
        for (int attempt = 0; attempt < 100; attempt++)
        {
            var id = MessageIds.Next(timeProvider);
            var ownerLock = OwnerLock.TryAcquire(PathOf(directory, id, SpoolFileKind.Lock), create: true, exclusive: true, out _);
            if (ownerLock is null)
            {
                continue;
            }

            try
            {
                ownerLock.WriteMarker(OwnerLock.NewMarker);
                var target = PathOf(directory, id, SpoolFileKind.Content);
                if (!File.Exists(target))
                {
                    HardLinks.Create(contentPath, target);
                    return new LinkedCopy(directory, id, ownerLock);
                }
            }
            catch
            {
                ownerLock.Release();
                throw;
            }

            ownerLock.Release();
        }

        throw new IOException("cannot allocate a new message id in \"" + directory + "\"");
    }

    /// <summary>Writes the envelope and makes the message visible as <c>&lt;id&gt;.envelope</c>.</summary>
    public void Commit(Envelope envelope)
    {
        Prepare(envelope);
        Publish();
        SpoolNative.SyncDirectory(_directory);
    }

    /// <summary>Writes the envelope as <c>&lt;id&gt;.envelope.new</c>, synced; not yet a ready message (see <see cref="Publish"/>).</summary>
    public void Prepare(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ObjectDisposedException.ThrowIf(_ownerLock is null, this);
        SpoolFile.WriteDurably(PathOf(_directory, Id, SpoolFileKind.EnvelopeNew), EnvelopeFormat.Write(envelope));
    }

    /// <summary>Renames the prepared <c>.envelope.new</c> to <c>.envelope</c>; the caller syncs the directory.</summary>
    public void Publish()
    {
        ObjectDisposedException.ThrowIf(_ownerLock is null, this);
        File.Move(PathOf(_directory, Id, SpoolFileKind.EnvelopeNew), PathOf(_directory, Id, SpoolFileKind.Envelope));
        _committed = true;
    }

    /// <summary>Releases the id; an uncommitted copy's files are removed.</summary>
    public void Dispose()
    {
        if (_ownerLock is null)
        {
            return;
        }

        if (!_committed)
        {
            TryDelete(PathOf(_directory, Id, SpoolFileKind.EnvelopeNew));
            TryDelete(PathOf(_directory, Id, SpoolFileKind.Content));
        }

        _ownerLock.Release();
        _ownerLock = null;
    }

    private static string PathOf(string directory, MessageId id, SpoolFileKind kind) => Path.Combine(directory, SpoolNames.FileName(id, kind));

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the copy was never visible.
        }
    }
}
