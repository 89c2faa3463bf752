using System.Text;
using EmailRelay.Protocol.Filters;

namespace EmailRelay.Filters;

/// <summary>
/// The <c>msgid:</c> built-in (reference §c): if the content's headers have no Message-ID, a
/// <c>Message-ID: &lt;secs.usecs.pid.n@domain&gt;</c> line is added as the first line (the content is replaced
/// through the spool). Always ok unless the content cannot be read or written.
/// </summary>
internal sealed class MsgIdFilter : IMessageFilter
{
    private readonly string _domain;
    private readonly TimeProvider _timeProvider;
    private long _sequence;

    /// <summary>Creates the filter for <c>--domain</c> <paramref name="domain"/>.</summary>
    public MsgIdFilter(string name, string domain, TimeProvider timeProvider)
    {
        Name = name;
        _domain = domain;
        _timeProvider = timeProvider;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public async Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            byte[] content;
            await using (var stream = context.Message.OpenContent())
            {
                content = new byte[stream.Length];
                await stream.ReadExactlyAsync(content, cancellationToken);
            }

            if (MessageIdHeader.HasMessageId(content))
            {
                return FilterResult.Ok;
            }

            var now = _timeProvider.GetUtcNow();
            var micros = (int)(now.Ticks % TimeSpan.TicksPerSecond / 10);
            var header = Encoding.UTF8.GetBytes(MessageIdHeader.Format(now.ToUnixTimeSeconds(), micros, Environment.ProcessId, Interlocked.Increment(ref _sequence), _domain));
            await context.Message.ReplaceContentAsync(
                async (output, token) =>
                {
                    await output.WriteAsync(header, token);
                    await output.WriteAsync(content, token);
                },
                cancellationToken);
            return FilterResult.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new FilterResult(FilterOutcome.Fail, false, "error", 0, e.Message);
        }
    }
}
