using System.Net;
using EmailRelay.Protocol.Proxy;

namespace EmailRelay.Net;

/// <summary>The header read by <see cref="ProxyHeaderReader"/>, or the reason the connection is closed.</summary>
/// <param name="Header">The header, on success.</param>
/// <param name="Error">Why there is no header, for the log line.</param>
public sealed record ProxyReadOutcome(ProxyHeader? Header, string? Error)
{
    /// <summary>A failure.</summary>
    public static ProxyReadOutcome Failed(string error) => new(null, error);

    /// <summary>The client address the header gives, or <paramref name="peer"/> when it gives none (LOCAL, UNKNOWN).</summary>
    public EndPoint? ClientOr(EndPoint? peer) => Header?.Source ?? peer;
}
