using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;

namespace EmailRelay.Spool;

/// <summary>
/// <see cref="IFilterMessage"/> over a message's two files in a spool directory: the envelope in its current state
/// (<c>.envelope.new</c> for a new message, <c>.envelope.busy</c> for a claimed one) and the content. Replacements go
/// through <c>&lt;name&gt;.tmp</c>, synced, then renamed over the file (the names recovery removes); the directory is
/// synced after each change unless the owner's commit syncs it anyway (a new message).
/// </summary>
internal sealed class FileFilterMessage : IFilterMessage, ISpoolFiles
{
    private readonly FileNewMessage? _owner;
    private readonly Func<ValueTask> _syncDirectory;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the view.</summary>
    /// <param name="id">The message id.</param>
    /// <param name="contentPath">The content file.</param>
    /// <param name="envelopePath">The envelope file in its current state.</param>
    /// <param name="owner">The new message whose commit publishes copies, or null to publish them when saved.</param>
    /// <param name="syncDirectory">Syncs the spool directory after a change, or null when the owner's commit does.</param>
    /// <param name="timeProvider">The clock for copies' ids and maildir names.</param>
    public FileFilterMessage(MessageId id, string contentPath, string envelopePath, FileNewMessage? owner, Func<ValueTask>? syncDirectory, TimeProvider timeProvider)
    {
        Id = id;
        ContentPath = contentPath;
        EnvelopePath = envelopePath;
        _owner = owner;
        _syncDirectory = syncDirectory ?? (() => ValueTask.CompletedTask);
        _timeProvider = timeProvider;
        Location = Path.GetDirectoryName(envelopePath) ?? ".";
    }

    /// <summary>A view of two files named on a command line (<c>emailrelay-filter-copy</c>): changes are synced as they are made.</summary>
    public static FileFilterMessage ForFiles(MessageId id, string contentPath, string envelopePath, TimeProvider timeProvider)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(envelopePath)) ?? ".";
        return new FileFilterMessage(id, contentPath, envelopePath, null, () =>
        {
            SpoolNative.SyncDirectory(directory);
            return ValueTask.CompletedTask;
        }, timeProvider);
    }

    /// <inheritdoc />
    public MessageId Id { get; }

    /// <inheritdoc />
    public string ContentPath { get; }

    /// <inheritdoc />
    public string EnvelopePath { get; }

    /// <inheritdoc />
    public ISpoolFiles Files => this;

    /// <inheritdoc />
    public string Location { get; }

    /// <inheritdoc />
    public async ValueTask<EnvelopeReadResult> ReadEnvelopeAsync(CancellationToken cancellationToken)
        => EnvelopeFormat.Read(await File.ReadAllBytesAsync(EnvelopePath, cancellationToken));

    /// <inheritdoc />
    public async ValueTask ReplaceEnvelopeAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var temp = EnvelopePath + ".tmp";
        try
        {
            SpoolFile.WriteDurably(temp, EnvelopeFormat.Write(envelope));
            File.Move(temp, EnvelopePath, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        await _syncDirectory();
    }

    /// <inheritdoc />
    public Stream OpenContent()
        => new FileStream(ContentPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileSpool.BufferSize);

    /// <inheritdoc />
    public async ValueTask ReplaceContentAsync(Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var temp = Path.Combine(Path.GetDirectoryName(ContentPath) ?? Location, SpoolNames.FileName(Id, SpoolFileKind.ContentTmp));
        await ContentReplacement.WriteAsync(temp, ContentPath, write, cancellationToken);
        await _syncDirectory();
    }

    /// <inheritdoc />
    public ValueTask<IMessageCopy> CreateCopyAsync(CancellationToken cancellationToken)
        => ValueTask.FromResult<IMessageCopy>(new Copy(this, LinkedCopy.Create(ContentPath, _timeProvider)));

    /// <inheritdoc />
    public IReadOnlyList<string> ListMailboxes()
        => [.. Directory.GetDirectories(Location)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !name.StartsWith('.') && !string.Equals(name, "postmaster", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];

    /// <inheritdoc />
    public ValueTask PlaceInMailboxAsync(string? directory, string mailbox, MailboxPlacement placement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        var copier = new MailboxCopier(_timeProvider);
        var target = Path.Combine(directory ?? Location, mailbox);
        if (placement.HasFlag(MailboxPlacement.Create))
        {
            copier.EnsureDirectory(target);
        }

        copier.Place(target, Id.Value, ContentPath, EnvelopePath, placement.HasFlag(MailboxPlacement.EnvelopeOnly), placement.HasFlag(MailboxPlacement.HardLink));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask RemoveAsync(bool keepContent, CancellationToken cancellationToken)
    {
        File.Delete(EnvelopePath);
        if (!keepContent)
        {
            File.Delete(ContentPath);
        }

        await _syncDirectory();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (SpoolErrors.IsIo(e))
        {
            // Best effort: recovery removes a stale temporary file.
        }
    }

    /// <summary>A <c>split:</c> copy: prepared and handed to the owner, or committed at once without one.</summary>
    private sealed class Copy(FileFilterMessage message, LinkedCopy copy) : IMessageCopy
    {
        private bool _handedOver;

        public MessageId Id => copy.Id;

        public ValueTask SaveAsync(Envelope envelope, CancellationToken cancellationToken)
        {
            if (message._owner is { } owner)
            {
                copy.Prepare(envelope);
                owner.AddLinkedCopies([copy]);
                _handedOver = true;
            }
            else
            {
                copy.Commit(envelope);
            }

            return ValueTask.CompletedTask;
        }

        public void Dispose()
        {
            if (!_handedOver)
            {
                copy.Dispose();
            }
        }
    }
}
