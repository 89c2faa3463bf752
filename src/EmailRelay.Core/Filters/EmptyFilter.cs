using EmailRelay.Protocol.Filters;

namespace EmailRelay.Filters;

/// <summary>
/// The filter for an empty spec (reference §c: "exit:0, does nothing and stays quiet"): always ok,
/// touches nothing. Callers may test for it to skip filter logging.
/// </summary>
internal sealed class EmptyFilter : IMessageFilter
{
    private static readonly Task<FilterResult> s_ok = Task.FromResult(FilterResult.Ok);

    /// <summary>The one instance.</summary>
    public static EmptyFilter Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "";

    /// <inheritdoc />
    public Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken) => s_ok;
}
