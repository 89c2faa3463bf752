using System.Net;

namespace EmailRelay.Protocol.Proxy;

/// <summary>
/// A parsed PROXY protocol header (HAProxy's "PROXY protocol" versions 1 and 2).
/// <see cref="Source"/> is the real client and <see cref="Destination"/> the address it connected to at the balancer;
/// both are null when the header carries no usable address: v1 <c>UNKNOWN</c>, v2 <c>LOCAL</c> (the balancer's own
/// connection, e.g. a health check), or a v2 family other than TCP over IPv4/IPv6. Then the connection's own peer
/// address stands.
/// </summary>
/// <param name="Version">1 or 2.</param>
/// <param name="IsLocal">v2 <c>LOCAL</c>: the balancer's own connection.</param>
/// <param name="Source">The real client's address and port, or null.</param>
/// <param name="Destination">The address and port the client connected to, or null.</param>
/// <param name="Tlvs">The v2 TLVs in order (empty for v1).</param>
public sealed record ProxyHeader(int Version, bool IsLocal, IPEndPoint? Source, IPEndPoint? Destination, IReadOnlyList<ProxyTlv> Tlvs)
{
    /// <summary>The TLS facts of a <see cref="ProxyTlvType.Ssl"/> TLV (a balancer that terminated TLS), or null.</summary>
    public ProxyTls? Tls { get; init; }

    /// <summary>The first TLV of a type, or null.</summary>
    public ProxyTlv? Find(ProxyTlvType type) => Tlvs.FirstOrDefault(t => t.Type == type);
}
