using System.Globalization;
using System.Net;

namespace EmailRelay.Protocol.Dns;

/// <summary>A name server address as options give it (<c>--dnsbl</c>, <c>mx:</c>): an IP address, with port 53 unless one is given.</summary>
internal static class NameServerAddress
{
    /// <summary>An IP address (dotted IPv4 or IPv6) with an optional port (53 by default): <c>ip</c>, <c>ip:port</c>, <c>[ipv6]:port</c>.</summary>
    public static bool TryParse(string item, out IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(item);
        endPoint = new IPEndPoint(IPAddress.None, 0);
        if (item.StartsWith('['))
        {
            if (IPEndPoint.TryParse(item, out var bracketed) && bracketed.Port != 0)
            {
                endPoint = bracketed;
                return true;
            }

            return false;
        }

        var colons = item.Count(c => c == ':');
        if (colons >= 2 && IPAddress.TryParse(item, out var v6))
        {
            endPoint = new IPEndPoint(v6, 53);
            return true;
        }

        // Dotted IPv4 only: IPAddress.TryParse would also take "5" or "1.2".
        var host = colons == 1 ? item[..item.IndexOf(':', StringComparison.Ordinal)] : item;
        if (host.Count(c => c == '.') != 3 || !IPAddress.TryParse(host, out var v4))
        {
            return false;
        }

        var port = 53;
        if (colons == 1 && (!int.TryParse(item.AsSpan(host.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is 0 or > 65535))
        {
            return false;
        }

        endPoint = new IPEndPoint(v4, port);
        return true;
    }
}
