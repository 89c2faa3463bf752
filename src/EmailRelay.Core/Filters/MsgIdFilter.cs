using System.Text;
using EmailRelay.Protocol.Filters;

namespace EmailRelay.Filters;

/// <summary>
/// The <c>msgid:</c> built-in (reference §c): if the content's headers have no Message-ID, a
/// <c>Message-ID: &lt;secs.usecs.pid.n@domain&gt;</c> line is added as the first line (the content is rewritten
/// through a temporary file and a rename). Always ok unless the content cannot be read or written.
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
        if (context.ContentPath is null)
        {
            return FilterResult.Ok;
        }

        try
        {
            var content = await File.ReadAllBytesAsync(context.ContentPath, cancellationToken);
            if (MessageIdHeader.HasMessageId(content))
            {
                return FilterResult.Ok;
            }

            var now = _timeProvider.GetUtcNow();
            var micros = (int)(now.Ticks % TimeSpan.TicksPerSecond / 10);
            var header = MessageIdHeader.Format(now.ToUnixTimeSeconds(), micros, Environment.ProcessId, Interlocked.Increment(ref _sequence), _domain);
            var temp = context.ContentPath + ".msgid.tmp";
            await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(header), cancellationToken);
                await stream.WriteAsync(content, cancellationToken);
            }

            File.Move(temp, context.ContentPath, overwrite: true);
            return FilterResult.Ok;
        }
        catch (IOException e)
        {
            return new FilterResult(FilterOutcome.Fail, false, "error", 0, e.Message);
        }
    }
}
