using EmailRelay.Filters.Dkim;
using EmailRelay.Protocol.Filters;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Filters;

/// <summary>
/// The <c>dkim:</c> built-in: adds one DKIM-Signature field per configured signature whose sender condition matches
/// the message's From domain (RFC 6376; <c>rsa-sha256</c>, RFC 8463 <c>ed25519-sha256</c>). The content is read once
/// to hash it (a bounded buffer, whatever its size) and once more to write it back behind the new fields through
/// <see cref="Spool.IFilterMessage.ReplaceContentAsync"/>. A message from a domain not configured, or with no From, passes unsigned. Always
/// ok, unless the content cannot be read or written (fail, response <c>error</c>).
/// </summary>
internal sealed class DkimFilter : IMessageFilter
{
    /// <summary>The read buffer for the body hash.</summary>
    internal const int BufferSize = 64 * 1024;

    private readonly DkimMessageSigner _signer;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Creates the filter for loaded signers (consecutive <c>dkim:</c> members share one filter).</summary>
    public DkimFilter(string name, IReadOnlyList<DkimSigner> signers, TimeProvider timeProvider, ILogger logger)
    {
        Name = name;
        _signer = new DkimMessageSigner(signers);
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The signatures this filter adds.</summary>
    internal IReadOnlyList<DkimSigner> Signers => _signer.Signers;

    /// <inheritdoc />
    public async Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            var timestamp = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
            var message = context.Message;
            var (fields, skipped) = await Task.Run(
                () =>
                {
                    using var content = message.OpenContent();
                    var fields = _signer.Sign(content, timestamp, new byte[BufferSize], out var skipped);
                    return (fields, skipped);
                },
                cancellationToken);
            if (fields is null)
            {
                Log.DkimUnsigned(_logger, Name, context.Id.Value, skipped);
                return FilterResult.Ok;
            }

            await message.ReplaceContentAsync(
                async (output, token) =>
                {
                    await output.WriteAsync(fields, token);
                    await using var content = message.OpenContent();
                    await content.CopyToAsync(output, BufferSize, token);
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
