using EmailRelay.Protocol.Filters;

namespace EmailRelay.Filters;

/// <summary>
/// The <c>net:host:port</c> / <c>net:/unix/path</c> filter (reference §c): sends the absolute content path as
/// one line over a persistent connection and reads one reply line (<see cref="NetFilterReply"/>). A connection
/// error is fail with the error text as the reason; a timeout is fail <c>failed</c> with the timeout's text as the reason.
/// </summary>
internal sealed class NetFilter : IMessageFilter, IAsyncDisposable
{
    private readonly LineClient _client;

    /// <summary>Creates the filter.</summary>
    public NetFilter(string name, string address, TimeSpan timeout, TimeProvider timeProvider)
    {
        Name = name;
        _client = new LineClient(address, timeout, timeProvider);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The connection (for tests).</summary>
    internal LineClient Client => _client;

    /// <inheritdoc />
    public async Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Message.Files is not { } files)
        {
            return new FilterResult(FilterOutcome.Fail, false, FilterOutput.DefaultResponse, 0, "no content file for a network filter");
        }

        try
        {
            var reply = await _client.RequestAsync(files.ContentPath, cancellationToken);
            return NetFilterReply.Parse(reply);
        }
        catch (TimeoutException e)
        {
            // E-MailRelay: failed response=[failed] reason=[response timeout: ...], so the client sees "452 failed".
            return new FilterResult(FilterOutcome.Fail, false, "failed", 0, e.Message);
        }
        catch (IOException e)
        {
            return new FilterResult(FilterOutcome.Fail, false, "error", 0, e.Message);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
