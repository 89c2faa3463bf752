using EmailRelay.Protocol.Filters;

namespace EmailRelay.Filters;

/// <summary>
/// The undocumented <c>sleepms:N</c> built-in (reference §c): waits N milliseconds on the
/// <see cref="TimeProvider"/>, then returns ok. Cancellation ends the wait with
/// <see cref="OperationCanceledException"/>, as for any filter whose caller gave up.
/// </summary>
internal sealed class SleepFilter : IMessageFilter
{
    private readonly TimeSpan _delay;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the filter.</summary>
    /// <param name="milliseconds">How long to wait.</param>
    /// <param name="timeProvider">The clock to wait on.</param>
    public SleepFilter(int milliseconds, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(milliseconds);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _delay = TimeSpan.FromMilliseconds(milliseconds);
        _timeProvider = timeProvider;
        Name = string.Concat("sleepms:", milliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public async Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken)
    {
        if (_delay > TimeSpan.Zero)
        {
            await Task.Delay(_delay, _timeProvider, cancellationToken);
        }

        return FilterResult.Ok;
    }
}
