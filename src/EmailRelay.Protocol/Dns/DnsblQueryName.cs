using System.Globalization;
using System.Net;
using System.Text;

namespace EmailRelay.Protocol.Dns;

/// <summary>
/// The name a DNSBL is asked about for an address (RFC 5782 §2.1, §2.4): the IPv4 octets in reverse order, or the
/// 32 IPv6 nibbles in reverse order, followed by the list's zone. IPv4-mapped IPv6 addresses are asked as IPv4.
/// </summary>
internal static class DnsblQueryName
{
    /// <summary>Builds the query name, e.g. <c>2.0.0.127.bl.example</c> for <c>127.0.0.2</c>.</summary>
    public static string For(IPAddress address, string zone)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(zone);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        var sb = new StringBuilder(length == 4 ? 16 + zone.Length : 64 + zone.Length);
        for (var i = length - 1; i >= 0; i--)
        {
            if (length == 4)
            {
                sb.Append(bytes[i].ToString(CultureInfo.InvariantCulture)).Append('.');
            }
            else
            {
                sb.Append(Hex(bytes[i] & 0xF)).Append('.').Append(Hex(bytes[i] >> 4)).Append('.');
            }
        }

        return sb.Append(zone.TrimEnd('.')).ToString();
    }

    private static char Hex(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
