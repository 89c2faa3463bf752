using System.Net;
using EmailRelay.Net;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Dns;

/// <summary>
/// The DNSBL check in front of a unit's SMTP handler (reference §g): before the greeting, the peer's address is
/// checked with <see cref="DnsblChecker"/>, and a peer listed at or above the threshold is dropped without a
/// greeting. Loopback, link-local and private peers (<see cref="LocalNetworks"/>) are never checked, and nothing is
/// checked while <c>isEnabled</c> says no (admin <c>dnsbl stop</c>). Data the peer sent before the greeting is
/// discarded, except on an implicit-TLS listener (<c>--server-tls-connection</c>), where it is the TLS ClientHello.
/// </summary>
internal sealed class DnsblConnectionHandler : IConnectionHandler
{
    private readonly IConnectionHandler _inner;
    private readonly DnsblChecker _checker;
    private readonly Func<bool> _isEnabled;
    private readonly ILogger _logger;
    private readonly bool _discardEarlyInput;

    /// <summary>Creates the check in front of <paramref name="inner"/>.</summary>
    /// <param name="inner">The SMTP handler.</param>
    /// <param name="checker">The DNSBL checker.</param>
    /// <param name="isEnabled">Whether checking is on (admin <c>dnsbl stop</c>).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="discardEarlyInput">Whether data sent before the greeting is discarded; false for implicit TLS.</param>
    public DnsblConnectionHandler(IConnectionHandler inner, DnsblChecker checker, Func<bool> isEnabled, ILogger logger, bool discardEarlyInput = true)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(checker);
        ArgumentNullException.ThrowIfNull(isEnabled);
        ArgumentNullException.ThrowIfNull(logger);
        _inner = inner;
        _checker = checker;
        _isEnabled = isEnabled;
        _logger = logger;
        _discardEarlyInput = discardEarlyInput;
    }

    /// <inheritdoc />
    public async Task HandleAsync(AcceptedConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.RemoteEndPoint is IPEndPoint peer)
        {
            var address = peer.Address.IsIPv4MappedToIPv6 ? peer.Address.MapToIPv4() : peer.Address;
            var text = address.ToString();
            if (LocalNetworks.IsLocal(address))
            {
                Log.DnsblNotChecked(_logger, text, "local address");
            }
            else if (!_isEnabled())
            {
                Log.DnsblNotChecked(_logger, text, "checking stopped");
            }
            else if (!await PassesAsync(address, text, cancellationToken))
            {
                await connection.DisposeAsync();
                return;
            }
            else if (_discardEarlyInput)
            {
                await DiscardEarlyInputAsync(connection, cancellationToken);
            }
        }

        await _inner.HandleAsync(connection, cancellationToken);
    }

    private async Task<bool> PassesAsync(IPAddress address, string text, CancellationToken cancellationToken)
    {
        var config = _checker.Config;
        var result = await _checker.CheckAsync(address, cancellationToken);
        var listedBy = string.Join(' ', result.ListedBy);
        var unanswered = string.Join(' ', result.NotAnswered);
        var milliseconds = (long)config.Timeout.TotalMilliseconds;
        if (result.Drop)
        {
            if (result.ListedBy.Count >= config.Threshold)
            {
                Log.DnsblBlocked(_logger, text, listedBy);
            }
            else
            {
                Log.DnsblTimeoutBlocked(_logger, text, unanswered, milliseconds);
            }

            return false;
        }

        if (result.ListedBy.Count > 0)
        {
            if (config.Threshold == 0)
            {
                Log.DnsblWouldBlock(_logger, text, listedBy);
            }
            else
            {
                Log.DnsblBelowThreshold(_logger, text, listedBy, config.Threshold);
            }
        }

        if (result.NotAnswered.Count > 0)
        {
            Log.DnsblTimeoutAllowed(_logger, text, unanswered, milliseconds);
        }
        else if (result.ListedBy.Count == 0)
        {
            Log.DnsblNotBlocked(_logger, text);
        }

        return true;
    }

    /// <summary>Reference §g: data received before the greeting is discarded.</summary>
    private static async Task DiscardEarlyInputAsync(AcceptedConnection connection, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (connection.Socket.Available > 0)
        {
            if (await connection.Stream.ReadAsync(buffer, cancellationToken) == 0)
            {
                return;
            }
        }
    }
}
