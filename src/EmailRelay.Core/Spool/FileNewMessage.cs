using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;

namespace EmailRelay.Spool;

/// <summary>
/// A message being received into a <see cref="FileSpool"/>: <c>&lt;id&gt;.content</c> (buffered),
/// then <c>&lt;id&gt;.envelope.new</c>, both synced (concurrently) by <see cref="PrepareAsync"/>, then the commit
/// rename and the shared directory fsync. Holds the message's owner lock until it is finished.
/// Disposing before a commit removes the content and <c>.envelope.new</c>. If the commit finds the
/// envelope gone (a filter abandoned the message, e.g. <c>copy:pop</c> keeping the content for POP),
/// the remaining files are left alone.
/// </summary>
internal sealed class FileNewMessage : INewMessage, ISpoolFiles
{
    private readonly FileSpool _spool;
    private readonly OwnerLock _ownerLock;
    private FileStream? _content;
    private bool _prepared;
    private bool _finished;

    public FileNewMessage(FileSpool spool, MessageId id, OwnerLock ownerLock, FileStream content)
    {
        _spool = spool;
        Id = id;
        _ownerLock = ownerLock;
        _content = content;
        ContentPath = spool.PathOf(id, SpoolFileKind.Content);
        EnvelopePath = spool.PathOf(id, SpoolFileKind.EnvelopeNew);
    }

    /// <inheritdoc />
    public MessageId Id { get; }

    /// <inheritdoc />
    public long ContentLength { get; private set; }

    /// <inheritdoc />
    public string ContentPath { get; }

    /// <inheritdoc />
    public string EnvelopePath { get; }

    /// <inheritdoc />
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        FileStream content = _content ?? throw new InvalidOperationException("the content is closed");
        try
        {
            await content.WriteAsync(data, cancellationToken);
            ContentLength += data.Length;
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            RemoveFiles();
            throw SpoolErrors.Wrap(Id, "cannot write content file", exception);
        }
    }

    /// <inheritdoc />
    public async ValueTask PrepareAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        cancellationToken.ThrowIfCancellationRequested();
        FileStream content = _content ?? throw new InvalidOperationException("already prepared");
        try
        {
            byte[] bytes = EnvelopeFormat.Write(envelope);

            // The two file syncs run at once, so the filesystem can put both in one journal commit
            // (ext4 commits concurrent fsyncs together); the directory sync comes at the commit.
            // Writing .envelope.new before the content is durable is safe: nothing reads a .new as
            // a message, and the commit rename waits for both.
            Task contentSync = BlockingWorkers.Run(() =>
            {
                SpoolNative.SyncData(content);
                content.Dispose();
            });
            Task envelopeSync = BlockingWorkers.Run(() => FileSpool.WriteFileDurably(EnvelopePath, bytes));
            await Task.WhenAll(contentSync, envelopeSync);
            _content = null;
            _prepared = true;
            Log.NewEnvelopeFile(_spool.Logger, EnvelopePath);
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            RemoveFiles();
            throw SpoolErrors.Wrap(Id, "cannot write envelope file", exception);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> CommitAsync(CancellationToken cancellationToken)
    {
        if (!_prepared || _finished)
        {
            throw new InvalidOperationException("commit needs a prepared, uncommitted message");
        }

        try
        {
            File.Move(EnvelopePath, _spool.PathOf(Id, SpoolFileKind.Envelope), overwrite: true);
        }
        catch (FileNotFoundException)
        {
            // The abandon case: a filter took the envelope away. Leave whatever it left.
            Finish();
            return false;
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            throw SpoolErrors.Wrap(Id, "cannot commit envelope file", exception);
        }

        Finish();
        await _spool.SyncDirectoryAsync(Id);
        _spool.OnChanged();
        return true;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_finished)
        {
            return;
        }

        if (_content is not null)
        {
            try
            {
                await _content.DisposeAsync();
            }
            catch (Exception exception) when (SpoolErrors.IsIo(exception))
            {
                // Disk full while flushing the buffer: the file is removed below anyway.
            }

            _content = null;
        }

        RemoveFiles();
    }

    /// <summary>What a crash does: closes everything, removes nothing (crash-ordering tests).</summary>
    internal void SimulateCrash()
    {
        CloseContent();
        _finished = true;
        _ownerLock.Dispose();
    }

    private void RemoveFiles()
    {
        if (_finished)
        {
            return;
        }

        CloseContent();

        _spool.DeleteQuietly(EnvelopePath);
        _spool.DeleteQuietly(_spool.PathOf(Id, SpoolFileKind.EnvelopeNewTmp));
        _spool.DeleteQuietly(ContentPath);
        Finish();
    }

    private void CloseContent()
    {
        try
        {
            _content?.Dispose();
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            // Disk full while flushing the buffer: the handle is closed regardless.
        }

        _content = null;
    }

    private void Finish()
    {
        _finished = true;
        _ownerLock.Release();
    }
}
