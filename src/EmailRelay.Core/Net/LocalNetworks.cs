using System.Net;
using System.Net.Sockets;

namespace EmailRelay.Net;

/// <summary>
/// What E-MailRelay counts as a local peer when <c>--remote-clients</c> is not given: loopback, link-local and
/// private ranges (and their IPv4-mapped forms), and unix socket peers.
/// </summary>
public static class LocalNetworks
{
    /// <summary>The ranges, in the order the rejection warning lists them.</summary>
    public const string Description =
        "127.0.0.0/8, 169.254.0.0/16, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, ::1/128, fe80::/64 or fc00::/7";

    /// <summary>True if the peer is local: a unix socket peer, or an address inside one of the local ranges.</summary>
    public static bool IsLocal(EndPoint? peer) => peer switch
    {
        IPEndPoint ip => IsLocal(ip.Address),
        UnixDomainSocketEndPoint => true,
        null => true, // unnamed unix socket peers have no address
        _ => false,
    };

    /// <summary>True if the address is inside one of the local ranges.</summary>
    public static bool IsLocal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> b = stackalloc byte[16];
        if (!address.TryWriteBytes(b, out var length))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork && length == 4)
        {
            return b[0] == 127
                || (b[0] == 169 && b[1] == 254)
                || b[0] == 10
                || (b[0] == 172 && (b[1] & 0xF0) == 16)
                || (b[0] == 192 && b[1] == 168);
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && length == 16)
        {
            if (IPAddress.IPv6Loopback.Equals(new IPAddress(b[..16])))
            {
                return true;
            }

            var linkLocal64 = b[0] == 0xFE && b[1] == 0x80 && b[2] == 0 && b[3] == 0 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0;
            var uniqueLocal = (b[0] & 0xFE) == 0xFC;
            return linkLocal64 || uniqueLocal;
        }

        return false;
    }
}
