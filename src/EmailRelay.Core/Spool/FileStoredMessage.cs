using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;

namespace EmailRelay.Spool;

/// <summary>
/// A message locked in a <see cref="FileSpool"/> as <c>&lt;id&gt;.envelope.busy</c>, with the owner
/// lock held. Edits write and fsync <c>.envelope.busy.tmp</c> and rename it over <c>.busy</c>; fail and
/// defer then move <c>.busy</c> to <c>.bad</c> or back to <c>.envelope</c> through the claim name
/// (<see cref="MessageClaims.Release"/>). Disposing without delete or fail unlocks the same way, then
/// releases the lock.
/// </summary>
internal sealed class FileStoredMessage : IStoredMessage, ISpoolFiles
{
    /// <summary>Content up to this size is read into memory by <see cref="OpenContent"/>.</summary>
    internal const int SmallContent = 64 * 1024;

    private readonly FileSpool _spool;
    private readonly OwnerLock _ownerLock;
    private bool _finished;

    public FileStoredMessage(FileSpool spool, MessageId id, OwnerLock ownerLock)
    {
        _spool = spool;
        Id = id;
        _ownerLock = ownerLock;
        ContentPath = spool.Paths.Content(id);
        EnvelopePath = spool.Paths.Of(id, SpoolFileKind.EnvelopeBusy);
    }

    /// <inheritdoc />
    public MessageId Id { get; }

    /// <inheritdoc />
    public Envelope Envelope { get; private set; } = new();

    /// <inheritdoc />
    public DateTimeOffset LastAttempt => File.GetLastWriteTimeUtc(EnvelopePath);

    /// <inheritdoc />
    public string ContentPath { get; }

    /// <inheritdoc />
    public string EnvelopePath { get; }

    /// <summary>True if the content is in the spool's <see cref="FileSpool.SharedContentDirectory"/> (so delete leaves it).</summary>
    internal bool IsSharedContent => _spool.Paths.IsShared(ContentPath);

    private string TmpPath => _spool.Paths.Of(Id, SpoolFileKind.EnvelopeBusyTmp);

    /// <inheritdoc />
    /// <remarks>
    /// Content up to <see cref="SmallContent"/> bytes is read here, in one synchronous read, and handed out as a
    /// memory stream: an asynchronous read of a file on Unix is a synchronous read queued to the thread pool, so
    /// each one costs a thread hand-off, which for a small message costs more than the read itself. Larger content
    /// is read synchronously too, chunk by chunk (<see cref="SynchronousReadStream"/>).
    /// </remarks>
    public Stream OpenContent()
    {
        try
        {
            var stream = new FileStream(ContentPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileSpool.BufferSize);
            var length = stream.Length;
            if (length > SmallContent)
            {
                return new SynchronousReadStream(stream);
            }

            // A locked message's content does not change (filters have run by the time it is sent).
            using (stream)
            {
                var bytes = new byte[length];
                var total = 0;
                int n;
                while (total < bytes.Length && (n = stream.Read(bytes, total, bytes.Length - total)) > 0)
                {
                    total += n;
                }

                return new MemoryStream(bytes, 0, total, writable: false);
            }
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            throw SpoolErrors.Wrap(Id, "cannot open content file", exception);
        }
    }

    /// <inheritdoc />
    public ValueTask ReloadEnvelopeAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        byte[] bytes;
        try
        {
            // Synchronous on purpose: an envelope is a few hundred bytes, and an asynchronous file read on Unix is a
            // thread-pool hand-off that costs more than the read (see OpenContent).
            bytes = File.ReadAllBytes(EnvelopePath);
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            throw SpoolErrors.Wrap(Id, "cannot read envelope file", exception);
        }

        EnvelopeReadResult result = EnvelopeFormat.Read(bytes);
        Envelope = result.Envelope ?? throw new SpoolException(Id, result.Error ?? "invalid envelope") { IsInvalidEnvelope = true };
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>
    /// No directory fsync here, on purpose: the upstream already has the message, so a power loss that undoes the
    /// unlinks brings back a message that was delivered, which is then sent again, a duplicate, never a loss
    /// (differences 1 is about what we acknowledged; SMTP delivery is at-least-once anyway). The lock rename is
    /// likewise not synced: undone, it leaves the message ready. Fail and defer do sync, because their new state
    /// (<c>.bad</c> with its reason, or the backoff) must survive.
    /// </remarks>
    public ValueTask DeleteAsync(CancellationToken cancellationToken)
    {
        EnsureOwned();
        try
        {
            Remove(EnvelopePath);
            if (!IsSharedContent)
            {
                Remove(ContentPath);
            }
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            throw SpoolErrors.Wrap(Id, "cannot delete message", exception);
        }

        Finish();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask FailAsync(string reason, int reasonCode, CancellationToken cancellationToken)
    {
        EnsureOwned();
        await AppendReasonAsync(reason, reasonCode, cancellationToken);
        Log.FailingEnvelope(_spool.Logger, Id.Value);
        Release(SpoolFileKind.EnvelopeBad, "cannot fail message");
        Finish();
        await _spool.SyncDirectoryAsync(Id);
    }

    /// <inheritdoc />
    public async ValueTask DeferAsync(string reason, int reasonCode, CancellationToken cancellationToken)
    {
        EnsureOwned();
        await AppendReasonAsync(reason, reasonCode, cancellationToken);
        Release(SpoolFileKind.Envelope, "cannot defer message");
        Finish();
        await _spool.SyncDirectoryAsync(Id);
        _spool.OnChanged();
    }

    /// <inheritdoc />
    public async ValueTask ReplaceEnvelopeAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        EnsureOwned();
        await ReplaceAsync(EnvelopeFormat.Write(envelope), cancellationToken);
        Envelope = envelope;
    }

    /// <inheritdoc />
    /// <remarks>Written to <c>&lt;id&gt;.content.tmp</c>, synced, renamed over the content, then the directory is synced. Other links to the old content (<c>copy:</c>, <c>split:</c>) keep it.</remarks>
    public async ValueTask ReplaceContentAsync(Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        EnsureOwned();
        string tmp = Path.Combine(Path.GetDirectoryName(ContentPath)!, SpoolNames.FileName(Id, SpoolFileKind.ContentTmp));
        try
        {
            await ContentReplacement.WriteAsync(tmp, ContentPath, write, cancellationToken);
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            throw SpoolErrors.Wrap(Id, "cannot replace content file", exception);
        }

        await _spool.SyncDirectoryAsync(Id);
    }

    /// <inheritdoc />
    public IFilterMessage AsFilterMessage()
        => new FileFilterMessage(Id, ContentPath, EnvelopePath, owner: null, () => new ValueTask(_spool.SyncDirectoryAsync(Id)), _spool.Time);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Unlock(raiseChanged: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Moves a message whose envelope does not parse to <c>.envelope.bad</c>, its bytes untouched (no reason is
    /// appended to a file that is not an envelope), so that no run tries it again; <c>unfail-all</c> returns it once repaired.
    /// </summary>
    internal async ValueTask MoveAsideAsync()
    {
        Log.FailingEnvelope(_spool.Logger, Id.Value);
        Release(SpoolFileKind.EnvelopeBad, "cannot fail message");
        Finish();
        await _spool.SyncDirectoryAsync(Id);
    }

    /// <summary>Returns the message to the ready state (marker cleared first) unless it is finished.</summary>
    internal void Unlock(bool raiseChanged)
    {
        if (_finished)
        {
            return;
        }

        int errno = _spool.Claims.Release(Id, _ownerLock, SpoolFileKind.Envelope);
        if (errno != 0)
        {
            Log.CleanupFailed(_spool.Logger, EnvelopePath, "rename: errno " + errno);
        }

        Finish();
        if (raiseChanged)
        {
            _spool.OnChanged();
        }
    }

    /// <summary>What a crash does: releases the OS lock, renames nothing (recovery tests).</summary>
    internal void SimulateCrash()
    {
        _finished = true;
        _ownerLock.Dispose();
    }

    private async Task AppendReasonAsync(string reason, int reasonCode, CancellationToken cancellationToken)
    {
        byte[] current;
        try
        {
            current = await File.ReadAllBytesAsync(EnvelopePath, cancellationToken);
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            throw SpoolErrors.Wrap(Id, "cannot read envelope file", exception);
        }

        await ReplaceAsync(EnvelopeFormat.AppendReason(current, reason, reasonCode), cancellationToken);
    }

    private async Task ReplaceAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        string tmp = TmpPath;
        try
        {
            await SpoolFile.RunBlocking(() => _spool.Files.WriteWhole(tmp, bytes, sync: true));
            _spool.Files.Replace(tmp, EnvelopePath);
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            _spool.Recovery.DeleteQuietly(tmp);
            throw SpoolErrors.Wrap(Id, "cannot rewrite envelope file", exception);
        }
    }

    private void Release(SpoolFileKind destination, string what)
    {
        int errno = _spool.Claims.Release(Id, _ownerLock, destination);
        if (errno != 0)
        {
            throw SpoolErrors.Wrap(Id, what, new IOException("cannot rename \"" + EnvelopePath + "\": errno " + errno, errno));
        }
    }

    private void Remove(string path)
    {
        int errno = _spool.Files.Remove(path);
        if (errno is not 0 and not SpoolNative.ENOENT)
        {
            throw new IOException("cannot remove \"" + path + "\": errno " + errno, errno);
        }
    }

    private void EnsureOwned() => ObjectDisposedException.ThrowIf(_finished, this);

    private void Finish()
    {
        _finished = true;
        _ownerLock.Release();
    }
}
