using System.Net;

namespace EmailRelay.Net;

/// <summary>
/// A listener's PROXY protocol setting (<c>--server-proxy-protocol</c>, <c>--pop-proxy-protocol</c>): every
/// connection must come from one of <see cref="Trusted"/> (the balancers) and start with a PROXY protocol v1 or v2
/// header, complete within <see cref="Timeout"/>; the header's client address then stands for the peer everywhere.
/// </summary>
/// <param name="Trusted">The balancers' addresses and networks.</param>
/// <param name="Timeout">How long the whole header may take (<c>--prompt-timeout</c>).</param>
public sealed record ProxyProtocolPolicy(IReadOnlyList<IPNetwork> Trusted, TimeSpan Timeout)
{
    /// <summary>Parses a comma list of addresses and networks (<c>10.0.0.5</c>, <c>192.168.0.0/24</c>, <c>::1</c>); throws <see cref="FormatException"/>.</summary>
    public static IReadOnlyList<IPNetwork> ParseTrusted(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var result = new List<IPNetwork>();
        foreach (var item in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(item, out var network))
            {
                result.Add(network);
            }
            else if (IPAddress.TryParse(item, out var address))
            {
                result.Add(new IPNetwork(address, address.GetAddressBytes().Length * 8));
            }
            else
            {
                throw new FormatException("invalid PROXY protocol trusted address: [" + item + "]");
            }
        }

        if (result.Count == 0)
        {
            throw new FormatException("the PROXY protocol needs at least one trusted balancer address");
        }

        return result;
    }

    /// <summary>True if <paramref name="peer"/> is one of the trusted balancers (IPv4-mapped IPv6 counts as IPv4).</summary>
    public bool IsTrusted(EndPoint? peer)
    {
        if (peer is not IPEndPoint ip)
        {
            return false;
        }

        var address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
        return Trusted.Any(n => n.Contains(address));
    }
}
