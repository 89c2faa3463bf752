using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;

namespace EmailRelay.Verifiers;

/// <summary>
/// The <c>net:</c> address verifier (reference §c): one pipe-separated request line per address over a
/// persistent connection (<see cref="NetVerifierProtocol"/>). A disconnect or a timeout during a request gives
/// <c>450 cannot verify</c>.
/// </summary>
internal sealed class NetVerifier : IAddressVerifier, IAsyncDisposable
{
    private readonly LineClient _client;

    /// <summary>Creates the verifier for <paramref name="address"/> (<c>host:port</c> or a socket path).</summary>
    public NetVerifier(string address, TimeSpan timeout, TimeProvider timeProvider)
    {
        _client = new LineClient(address, timeout, timeProvider);
    }

    /// <inheritdoc />
    public async Task<VerifierResult> VerifyAsync(VerifierRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var line = NetVerifierProtocol.FormatRequest(request.Address, request.From, request.Peer, request.Domain, request.Mechanism, request.AuthId);
        try
        {
            return NetVerifierProtocol.ParseReply(await _client.RequestAsync(line, cancellationToken));
        }
        catch (Exception e) when (e is IOException or TimeoutException)
        {
            return NetVerifierProtocol.Disconnected(e.Message);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
