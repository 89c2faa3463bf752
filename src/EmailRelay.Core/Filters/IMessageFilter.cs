using EmailRelay.Protocol.Filters;

namespace EmailRelay.Filters;

/// <summary>
/// One filter of a <c>--filter</c> or <c>--client-filter</c> chain (reference §c). A filter may
/// read and edit the content and the envelope through <see cref="FilterContext"/>; the caller
/// re-reads the envelope afterwards. Filters never throw for a message they reject: the verdict
/// is the <see cref="FilterResult"/>. A timeout is a fail result with response <c>error</c> and
/// reason <c>timeout</c>.
/// </summary>
public interface IMessageFilter
{
    /// <summary>The spec text, for logging (e.g. <c>exit:0</c>, <c>/usr/local/bin/filter.sh</c>).</summary>
    string Name { get; }

    /// <summary>Runs the filter on one message.</summary>
    Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken);
}
