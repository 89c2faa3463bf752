using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Storage;

namespace EmailRelay.Filters;

/// <summary>
/// The <c>deliver:</c> built-in (reference §c): local delivery to the envelope's <c>To-Local</c> mailboxes. For
/// each distinct <c>To-Local</c> value it creates <c>&lt;delivery-dir&gt;/&lt;mailbox&gt;</c> and places the message
/// there with <see cref="MailboxCopier"/> (a maildir gets the content in <c>new/</c>). Options: <c>hardlink</c>,
/// <c>nodelete</c>, <c>pop</c> (envelope only). With no local recipients it does nothing. After delivering, a message
/// with no remote recipients is deleted and abandoned (unless <c>nodelete</c>; with <c>pop</c> the content stays);
/// otherwise it continues (ok) for forwarding. A mailbox name that is not one printable path segment fails the
/// message before anything is written.
/// </summary>
internal sealed class DeliverFilter : IMessageFilter
{
    private readonly FilterSpecFlags _flags;
    private readonly string _deliveryDirectory;
    private readonly MailboxCopier _copier;

    /// <summary>Creates the filter.</summary>
    /// <param name="name">The spec text.</param>
    /// <param name="flags">The options.</param>
    /// <param name="deliveryDirectory"><c>--delivery-dir</c>; empty means the directory of the message (the spool).</param>
    /// <param name="timeProvider">The clock for maildir file names.</param>
    public DeliverFilter(string name, FilterSpecFlags flags, string deliveryDirectory, TimeProvider timeProvider)
    {
        Name = name;
        _flags = flags;
        _deliveryDirectory = deliveryDirectory;
        _copier = new MailboxCopier(timeProvider);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>True if <paramref name="mailbox"/> is one printable path segment: non-empty ASCII graphic characters, no <c>/</c>, not a dot name.</summary>
    public static bool IsValidMailbox(string mailbox)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        if (mailbox.Length == 0 || mailbox.Length > 255 || mailbox is "." or "..")
        {
            return false;
        }

        foreach (var c in mailbox)
        {
            if (c is <= ' ' or > '~' or '/' or '\\')
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public async Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.ContentPath is null || context.EnvelopePath is null)
        {
            return FilterResult.Ok;
        }

        try
        {
            var read = EnvelopeFormat.Read(await File.ReadAllBytesAsync(context.EnvelopePath, cancellationToken));
            if (read.Envelope is not { } envelope)
            {
                return Fail("invalid envelope: " + read.Error);
            }

            var mailboxes = envelope.ToLocal.Distinct(StringComparer.Ordinal).ToList();
            if (mailboxes.Count == 0)
            {
                return FilterResult.Ok;
            }

            var invalid = mailboxes.FirstOrDefault(m => !IsValidMailbox(m));
            if (invalid is not null)
            {
                return Fail("invalid mailbox name: [" + Printable(invalid) + "]");
            }

            var baseDirectory = _deliveryDirectory.Length != 0 ? _deliveryDirectory : Path.GetDirectoryName(context.EnvelopePath)!;
            var pop = _flags.HasFlag(FilterSpecFlags.Pop);
            foreach (var mailbox in mailboxes)
            {
                var directory = Path.Combine(baseDirectory, mailbox);
                _copier.EnsureDirectory(directory);
                _copier.Place(directory, context.Id.Value, context.ContentPath, context.EnvelopePath, pop, _flags.HasFlag(FilterSpecFlags.Hardlink));
            }

            if (envelope.ToRemote.Count != 0 || _flags.HasFlag(FilterSpecFlags.NoDelete))
            {
                return FilterResult.Ok;
            }

            File.Delete(context.EnvelopePath);
            if (!pop)
            {
                File.Delete(context.ContentPath);
            }

            return new FilterResult(FilterOutcome.Abandon, false, "", 0, "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(e.Message);
        }
    }

    private static FilterResult Fail(string reason) => new(FilterOutcome.Fail, false, "error", 0, reason);

    private static string Printable(string text) => new([.. text.Select(c => c is >= ' ' and <= '~' ? c : '?')]);
}
