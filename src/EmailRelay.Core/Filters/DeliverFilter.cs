using EmailRelay.Protocol.Filters;
using EmailRelay.Spool;

namespace EmailRelay.Filters;

/// <summary>
/// The <c>deliver:</c> built-in (reference §c): local delivery to the envelope's <c>To-Local</c> mailboxes. For
/// each distinct <c>To-Local</c> value it creates <c>&lt;delivery-dir&gt;/&lt;mailbox&gt;</c> and places the message
/// there with <see cref="IFilterMessage.PlaceInMailboxAsync"/> (a maildir gets the content in <c>new/</c>). Options: <c>hardlink</c>,
/// <c>nodelete</c>, <c>pop</c> (envelope only). With no local recipients it does nothing. After delivering, a message
/// with no remote recipients is deleted and abandoned (unless <c>nodelete</c>; with <c>pop</c> the content stays);
/// otherwise it continues (ok) for forwarding. A mailbox name that is not one printable path segment fails the
/// message before anything is written.
/// </summary>
internal sealed class DeliverFilter : IMessageFilter
{
    private readonly FilterSpecFlags _flags;
    private readonly string _deliveryDirectory;

    /// <summary>Creates the filter.</summary>
    /// <param name="name">The spec text.</param>
    /// <param name="flags">The options.</param>
    /// <param name="deliveryDirectory"><c>--delivery-dir</c>; empty means the directory of the message (the spool).</param>
    public DeliverFilter(string name, FilterSpecFlags flags, string deliveryDirectory)
    {
        Name = name;
        _flags = flags;
        _deliveryDirectory = deliveryDirectory;
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
        var message = context.Message;
        try
        {
            var read = await message.ReadEnvelopeAsync(cancellationToken);
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

            var baseDirectory = _deliveryDirectory.Length != 0 ? _deliveryDirectory : null;
            var pop = _flags.HasFlag(FilterSpecFlags.Pop);
            var placement = MailboxPlacement.Create
                | (pop ? MailboxPlacement.EnvelopeOnly : MailboxPlacement.None)
                | (_flags.HasFlag(FilterSpecFlags.Hardlink) ? MailboxPlacement.HardLink : MailboxPlacement.None);
            foreach (var mailbox in mailboxes)
            {
                await message.PlaceInMailboxAsync(baseDirectory, mailbox, placement, cancellationToken);
            }

            if (envelope.ToRemote.Count != 0 || _flags.HasFlag(FilterSpecFlags.NoDelete))
            {
                return FilterResult.Ok;
            }

            await message.RemoveAsync(keepContent: pop, cancellationToken);
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
