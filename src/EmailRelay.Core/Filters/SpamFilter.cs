using System.Net;
using System.Net.Sockets;
using System.Text;
using EmailRelay.Protocol.Filters;
using EmailRelay.Spool;

namespace EmailRelay.Filters;

/// <summary>
/// The <c>spam:</c> and <c>spam-edit:</c> filters (reference §c "spamd"): one connection to spamd per message
/// (<c>host:port</c> or a unix socket path), a <c>PROCESS</c> request with the content file, and the reply read to
/// the end. <c>spam:</c> is read only and fails a message spamd calls spam (response <c>spam</c>, reason
/// <c>spam: &lt;score&gt; / &lt;threshold&gt;</c>). <c>spam-edit:</c> writes spamd's marked-up message over the
/// content (through <c>&lt;id&gt;.content.tmp</c>) and passes, spam or not. A connection or protocol error is a
/// fail with response <c>error</c> for both (mail never passes unfiltered), and <c>--filter-timeout</c> bounds the
/// whole exchange: fail, <c>error</c>/<c>timeout</c>.
/// </summary>
internal sealed class SpamFilter : IMessageFilter
{
    /// <summary>The most reply bytes accepted: spamd's message plus its report stay well below this.</summary>
    internal const long MaxReplyBytes = 256L * 1024 * 1024;

    private readonly string _address;
    private readonly bool _edit;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the filter.</summary>
    /// <param name="name">The spec text, for logs.</param>
    /// <param name="address">spamd's <c>host:port</c> or unix socket path.</param>
    /// <param name="edit">True for <c>spam-edit:</c>.</param>
    /// <param name="timeout">The limit for the whole exchange.</param>
    /// <param name="timeProvider">The clock for the timeout.</param>
    public SpamFilter(string name, string address, bool edit, TimeSpan timeout, TimeProvider timeProvider)
    {
        Name = name;
        _address = address;
        _edit = edit;
        _timeout = timeout > TimeSpan.Zero ? timeout : Timeout.InfiniteTimeSpan;
        _timeProvider = timeProvider;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public async Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var limit = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        try
        {
            return await ExchangeAsync(context.Message, linked.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return FilterExitCodes.TimedOut;
        }
        catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException)
        {
            return Error(e.Message);
        }
    }

    private static FilterResult Error(string reason) => new(FilterOutcome.Fail, false, "error", 0, reason);

    private async Task<FilterResult> ExchangeAsync(IFilterMessage message, CancellationToken cancellationToken)
    {
        await using var content = message.OpenContent();
        EndPoint endPoint = LineClient.ParseEndPoint(_address);
        using var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint, cancellationToken);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(SpamdProtocol.RequestHeader(content.Length), cancellationToken);
        await content.CopyToAsync(stream, cancellationToken);
        await stream.FlushAsync(cancellationToken);
        socket.Shutdown(SocketShutdown.Send);

        // Only the reply header is buffered (it is at most MaxHeaderBytes); spam: stops there, spam-edit:
        // streams the message after it into the temporary content file.
        var buffer = new byte[64 * 1024];
        int filled = 0;
        int headerLength;
        while ((headerLength = SpamdProtocol.HeaderLength(buffer.AsSpan(0, filled))) < 0)
        {
            int read = filled == buffer.Length ? 0 : await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                if (filled > SpamdProtocol.MaxHeaderBytes || filled == 0)
                {
                    throw new IOException(filled == 0 ? "connection closed by spamd" : "invalid spamd response");
                }

                // A header with no blank line (spamd's error replies): all header, no message.
                headerLength = filled;
                break;
            }

            filled += read;
        }

        if (!SpamdProtocol.TryParseReplyHeader(Encoding.ASCII.GetString(buffer, 0, headerLength), out var reply, out var error))
        {
            return Error(error);
        }

        if (!_edit)
        {
            return reply.IsSpam ? SpamdProtocol.SpamResult(reply) : FilterResult.Ok;
        }

        await message.ReplaceContentAsync((file, token) => CopyReplyAsync(file, reply.ContentLength, buffer.AsMemory(headerLength, filled - headerLength), stream, token), cancellationToken);
        return FilterResult.Ok;
    }

    /// <summary>
    /// Copies spamd's message to <paramref name="file"/>: up to its Content-length when spamd gives one (anything after
    /// it is not read), and never beyond <see cref="MaxReplyBytes"/>. A reply that is too long, truncated or empty
    /// throws, so the content stays as it was.
    /// </summary>
    private static async Task CopyReplyAsync(Stream file, long? contentLength, ReadOnlyMemory<byte> start, NetworkStream stream, CancellationToken cancellationToken)
    {
        long cap = Math.Min(contentLength is { } given ? given : long.MaxValue, MaxReplyBytes + 1);
        long total = Math.Min(start.Length, cap);
        await file.WriteAsync(start[..(int)total], cancellationToken);
        var buffer = new byte[64 * 1024];
        while (total < cap)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, cap - total)), cancellationToken);
            if (read == 0)
            {
                break;
            }

            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            total += read;
        }

        if (total > MaxReplyBytes)
        {
            throw new IOException("spamd response too long");
        }

        if (contentLength is { } length && length != total)
        {
            throw new IOException("spamd response truncated");
        }

        if (total == 0)
        {
            throw new IOException("spamd returned no message");
        }
    }
}
