using System.Buffers;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Spool;

/// <summary>
/// A message being received into a <see cref="FileSpool"/>: <c>&lt;id&gt;.content</c> (buffered here, written
/// with <c>pwrite</c> on a raw handle), then <c>&lt;id&gt;.envelope.new</c>, both synced (concurrently) by
/// <see cref="PrepareAsync"/>, then the commit rename and the shared directory fsync. Holds the message's
/// owner lock until it is finished. Disposing before a commit removes the content and <c>.envelope.new</c>.
/// If the commit finds the envelope gone (a filter abandoned the message, e.g. <c>copy:pop</c> keeping the
/// content for POP), the remaining files are left alone. On a <see cref="FileSpool.MemoryBacked"/> spool
/// the syncs are skipped and everything runs on the caller's thread.
/// </summary>
internal sealed class FileNewMessage : INewMessage, ISpoolFiles
{
    private readonly FileSpool _spool;
    private readonly OwnerLock _ownerLock;
    private SafeFileHandle? _content;
    private byte[]? _buffer;
    private int _buffered;
    private bool _prepared;
    private bool _finished;
    private List<LinkedCopy>? _copies;

    public FileNewMessage(FileSpool spool, MessageId id, OwnerLock ownerLock, SafeFileHandle content)
    {
        _spool = spool;
        Id = id;
        _ownerLock = ownerLock;
        _content = content;
        ContentPath = spool.Paths.Of(id, SpoolFileKind.Content);
        EnvelopePath = spool.Paths.Of(id, SpoolFileKind.EnvelopeNew);
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
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        SafeFileHandle content = _content ?? throw new InvalidOperationException("the content is closed");
        try
        {
            // Page-cache writes, on the caller's thread: a 64 KiB buffer, so one pwrite per 64 KiB of
            // content (a 1 KiB message is one pwrite at PrepareAsync).
            ReadOnlySpan<byte> span = data.Span;
            _buffer ??= ArrayPool<byte>.Shared.Rent(FileSpool.BufferSize);
            if (_buffered + span.Length > _buffer.Length)
            {
                FlushBuffer(content);
                if (span.Length >= _buffer.Length)
                {
                    RandomAccess.Write(content, span, ContentLength - _buffered);
                    ContentLength += span.Length;
                    return ValueTask.CompletedTask;
                }
            }

            span.CopyTo(_buffer.AsSpan(_buffered));
            _buffered += span.Length;
            ContentLength += span.Length;
            return ValueTask.CompletedTask;
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            RemoveFiles();
            return ValueTask.FromException(SpoolErrors.Wrap(Id, "cannot write content file", exception));
        }
    }

    /// <inheritdoc />
    public async ValueTask PrepareAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        cancellationToken.ThrowIfCancellationRequested();
        SafeFileHandle content = _content ?? throw new InvalidOperationException("already prepared");
        try
        {
            byte[] bytes = EnvelopeFormat.Write(envelope);
            FlushBuffer(content);
            if (_spool.MemoryBacked)
            {
                // tmpfs: no sync to wait for, so no thread hop either.
                CloseContent();
                _spool.Files.WriteWhole(EnvelopePath, bytes, sync: false);
            }
            else
            {
                // The two file syncs run at once, so the filesystem can put both in one journal commit
                // (ext4 commits concurrent fsyncs together); the directory sync comes at the commit.
                // Writing .envelope.new before the content is durable is safe: nothing reads a .new as
                // a message, and the commit rename waits for both. The caller goes on on the worker that
                // finished last, so the commit's rename and directory sync need no further thread hand-off.
                string contentPath = ContentPath;
                Task contentSync = BlockingWorkers.RunContinuingHere(() => SpoolNative.SyncData(content, contentPath));
                Task envelopeSync = BlockingWorkers.RunContinuingHere(() => _spool.Files.WriteWhole(EnvelopePath, bytes, sync: true));
                await Task.WhenAll(contentSync, envelopeSync);
                CloseContent();
            }

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

        int errno = SpoolNative.Rename(EnvelopePath, _spool.Paths.Of(Id, SpoolFileKind.Envelope));
        if (errno == SpoolNative.ENOENT)
        {
            // The abandon case: a filter took the envelope away. Leave whatever it left.
            DisposeCopies(publish: false);
            Finish();
            return false;
        }

        if (errno != 0)
        {
            throw SpoolErrors.Wrap(Id, "cannot commit envelope file", new IOException("cannot rename \"" + EnvelopePath + "\": errno " + errno, errno));
        }

        try
        {
            DisposeCopies(publish: true);
        }
        finally
        {
            Finish();
        }

        await _spool.SyncDirectoryAsync(Id);
        _spool.OnChanged();
        return true;
    }

    /// <inheritdoc />
    public IFilterMessage AsFilterMessage() => new FileFilterMessage(Id, ContentPath, EnvelopePath, this, syncDirectory: null, _spool.Time);

    /// <summary>
    /// Takes the <c>split:</c> copies of this message, prepared as <c>.envelope.new</c>: the commit renames them
    /// to <c>.envelope</c> after its own rename (its directory sync covers them); otherwise they are removed.
    /// </summary>
    internal void AddLinkedCopies(IEnumerable<LinkedCopy> copies)
    {
        ArgumentNullException.ThrowIfNull(copies);
        if (_finished)
        {
            throw new InvalidOperationException("the message is finished");
        }

        (_copies ??= []).AddRange(copies);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (_finished)
        {
            return ValueTask.CompletedTask;
        }

        RemoveFiles();
        return ValueTask.CompletedTask;
    }

    /// <summary>What a crash does: closes everything, removes nothing (crash-ordering tests).</summary>
    internal void SimulateCrash()
    {
        CloseContent();
        if (!_finished)
        {
            // A finished message's lock is released or is now a spare, and no longer this message's.
            _finished = true;
            _ownerLock.Dispose();
        }
    }

    private void RemoveFiles()
    {
        if (_finished)
        {
            return;
        }

        CloseContent();
        DisposeCopies(publish: false);

        _spool.RemoveQuietly(EnvelopePath);
        _spool.Recovery.DeleteQuietly(_spool.Paths.Of(Id, SpoolFileKind.EnvelopeNewTmp));
        _spool.RemoveQuietly(ContentPath);
        Finish();
    }

    private void DisposeCopies(bool publish)
    {
        if (_copies is not { } copies)
        {
            return;
        }

        _copies = null;
        try
        {
            foreach (var copy in copies)
            {
                if (publish)
                {
                    copy.Publish();
                }
            }
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            throw SpoolErrors.Wrap(Id, "cannot commit a split copy's envelope file", exception);
        }
        finally
        {
            foreach (var copy in copies)
            {
                copy.Dispose();
            }
        }
    }

    private void FlushBuffer(SafeFileHandle content)
    {
        if (_buffered > 0)
        {
            RandomAccess.Write(content, _buffer.AsSpan(0, _buffered), ContentLength - _buffered);
            _buffered = 0;
        }
    }

    private void CloseContent()
    {
        _content?.Dispose();
        _content = null;
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _buffered = 0;
        }
    }

    private void Finish()
    {
        _finished = true;
        _spool.FinishNewMessage(_ownerLock);
    }
}
