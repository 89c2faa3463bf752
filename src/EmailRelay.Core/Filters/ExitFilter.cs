using EmailRelay.Protocol.Filters;

namespace EmailRelay.Filters;

/// <summary>
/// The <c>exit:N</c> built-in (reference §c): behaves like a program that exited with N and printed
/// nothing, except that a failure's reply text is <c>rejected</c> and its reason <c>exit:N</c>. The
/// exit-code table of the side it runs on applies.
/// </summary>
internal sealed class ExitFilter : IMessageFilter
{
    private readonly int _exitCode;
    private readonly FilterOutput _output;

    /// <summary>Creates the filter for exit code <paramref name="exitCode"/>.</summary>
    public ExitFilter(int exitCode)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(exitCode);
        _exitCode = exitCode;
        Name = string.Concat("exit:", exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _output = new FilterOutput(FilterOutput.DefaultResponse, 0, Name);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Task.FromResult(FilterExitCodes.ToResult(_exitCode, context.IsServerSide, _output));
    }
}
