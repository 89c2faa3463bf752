using EmailRelay.Protocol.Filters;

namespace EmailRelay.Filters;

/// <summary>
/// A chain of filters (reference §c: <c>a,b,c</c> or the option repeated). Members run in order and
/// the chain stops at the first result that is not ok. The chain's result is the last one run, with
/// <see cref="FilterResult.Special"/> set if any member that ran set it.
/// </summary>
internal sealed class FilterChain : IMessageFilter
{
    private readonly IMessageFilter[] _members;

    /// <summary>Creates a chain of at least one member.</summary>
    public FilterChain(IReadOnlyList<IMessageFilter> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentOutOfRangeException.ThrowIfZero(members.Count);
        _members = [.. members];
        Name = string.Join(',', _members.Select(static m => m.Name));
    }

    /// <summary>The members, in order.</summary>
    public IReadOnlyList<IMessageFilter> Members => _members;

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public async Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken)
    {
        var special = false;
        var result = FilterResult.Ok;
        foreach (var member in _members)
        {
            result = await member.RunAsync(context, cancellationToken);
            special |= result.Special;
            if (result.Outcome != FilterOutcome.Ok)
            {
                break;
            }
        }

        return result with { Special = special };
    }
}
