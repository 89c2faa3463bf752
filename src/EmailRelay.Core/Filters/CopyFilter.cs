using EmailRelay.Protocol.Filters;
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
    private readonly MailboxCopier _copier;
    private int _warned;

    /// <summary>Creates the filter.</summary>
    public CopyFilter(string name, FilterSpecFlags flags, ILogger logger, TimeProvider timeProvider)
    {
        Name = name;
        _flags = flags;
        _logger = logger;
        _copier = new MailboxCopier(timeProvider);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.ContentPath is null || context.EnvelopePath is null)
        {
            return Task.FromResult(FilterResult.Ok);
        }

        try
        {
            return Task.FromResult(Copy(context));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Task.FromResult(new FilterResult(FilterOutcome.Fail, false, "error", 0, e.Message));
        }
    }

    private FilterResult Copy(FilterContext context)
    {
        var spool = Path.GetDirectoryName(context.EnvelopePath!)!;
        var pop = _flags.HasFlag(FilterSpecFlags.Pop);
        var hardlink = _flags.HasFlag(FilterSpecFlags.Hardlink);
        var copied = 0;
        foreach (var directory in Directory.GetDirectories(spool).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(directory);
            if (name.StartsWith('.') || string.Equals(name, "postmaster", StringComparison.Ordinal))
            {
                continue;
            }

            _copier.Place(directory, context.Id.Value, context.ContentPath!, context.EnvelopePath!, pop, hardlink);
            copied++;
        }

        if (copied == 0)
        {
            if (Interlocked.Exchange(ref _warned, 1) == 0)
            {
                Log.NothingCopied(_logger, Name, spool);
            }

            return FilterResult.Ok;
        }

        if (_flags.HasFlag(FilterSpecFlags.NoDelete))
        {
            return FilterResult.Ok;
        }

        File.Delete(context.EnvelopePath!);
        if (!pop)
        {
            File.Delete(context.ContentPath!);
        }

        return new FilterResult(FilterOutcome.Abandon, false, "", 0, "");
    }
}
