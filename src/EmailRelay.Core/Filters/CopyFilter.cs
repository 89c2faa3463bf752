using EmailRelay.Protocol.Filters;
using EmailRelay.Spool;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Filters;

/// <summary>
/// The <c>copy:</c> built-in (reference §c): copies the envelope (named <c>&lt;id&gt;.envelope</c>) and the content
/// into every subdirectory of the spool except <c>postmaster</c> and dot-names; a subdirectory with <c>tmp</c>,
/// <c>cur</c> and <c>new</c> is a maildir and gets the content alone in <c>new/</c> by way of <c>tmp/</c>. Options:
/// <c>pop</c> (envelope only, the content stays for <c>--pop-by-name</c>), <c>hardlink</c>, <c>nodelete</c>.
/// Nothing copied: a one-off warning and ok. Otherwise the originals are deleted (the content kept with
/// <c>pop</c>) and the result is abandon, or ok with <c>nodelete</c>.
/// </summary>
internal sealed class CopyFilter : IMessageFilter
{
    private readonly FilterSpecFlags _flags;
    private readonly ILogger _logger;
    private int _warned;

    /// <summary>Creates the filter.</summary>
    public CopyFilter(string name, FilterSpecFlags flags, ILogger logger)
    {
        Name = name;
        _flags = flags;
        _logger = logger;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public async Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            return await CopyAsync(context.Message, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new FilterResult(FilterOutcome.Fail, false, "error", 0, e.Message);
        }
    }

    private async Task<FilterResult> CopyAsync(IFilterMessage message, CancellationToken cancellationToken)
    {
        var pop = _flags.HasFlag(FilterSpecFlags.Pop);
        var placement = (pop ? MailboxPlacement.EnvelopeOnly : MailboxPlacement.None) | (_flags.HasFlag(FilterSpecFlags.Hardlink) ? MailboxPlacement.HardLink : MailboxPlacement.None);
        var mailboxes = message.ListMailboxes();
        foreach (var mailbox in mailboxes)
        {
            await message.PlaceInMailboxAsync(null, mailbox, placement, cancellationToken);
        }

        if (mailboxes.Count == 0)
        {
            if (Interlocked.Exchange(ref _warned, 1) == 0)
            {
                Log.NothingCopied(_logger, Name, message.Location);
            }

            return FilterResult.Ok;
        }

        if (_flags.HasFlag(FilterSpecFlags.NoDelete))
        {
            return FilterResult.Ok;
        }

        await message.RemoveAsync(keepContent: pop, cancellationToken);
        return new FilterResult(FilterOutcome.Abandon, false, "", 0, "");
    }
}
