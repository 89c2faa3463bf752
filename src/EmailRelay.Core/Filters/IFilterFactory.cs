using System.Diagnostics.CodeAnalysis;
using EmailRelay.Protocol.Filters;

namespace EmailRelay.Filters;

/// <summary>
/// Builds the <see cref="IMessageFilter"/> for a parsed <c>--filter</c> or <c>--client-filter</c>
/// chain (from <see cref="FilterSpecParser"/>). Called once at startup by Hosting; a false return is a
/// configuration error whose text Hosting reports with the other startup errors.
/// </summary>
internal interface IFilterFactory
{
    /// <summary>Builds the filter for a chain; an empty chain gives the quiet no-op filter.</summary>
    /// <param name="chain">The parsed members, in order.</param>
    /// <param name="filter">The filter (a <see cref="FilterChain"/> when there are several members).</param>
    /// <param name="error">Why the chain cannot be built; empty on success.</param>
    bool TryCreate(IReadOnlyList<FilterSpec> chain, [NotNullWhen(true)] out IMessageFilter? filter, out string error);
}
