using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EmailRelay.Net;

/// <summary>
/// Formats addresses as E-MailRelay displays them: IPv4 as <c>a.b.c.d:port</c>, IPv6 as <c>addr.port</c>
/// (observed: <c>admin server on ::.N</c>), unix sockets as their path.
/// </summary>
public static class EndPointText
{
    /// <summary>Formats an end point with its port; null gives an empty string.</summary>
    public static string Format(EndPoint? endPoint) => endPoint switch
    {
        null => string.Empty,
        IPEndPoint ip => FormatAddress(ip.Address) + (IsIPv6(ip.Address) ? "." : ":") + ip.Port.ToString(CultureInfo.InvariantCulture),
        UnixDomainSocketEndPoint unix => unix.ToString(),
        _ => endPoint.ToString() ?? string.Empty,
    };

    /// <summary>Formats an address without a port; IPv4-mapped IPv6 addresses are shown as IPv4.</summary>
    public static string FormatAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString() : address.ToString();
    }

    private static bool IsIPv6(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && !address.IsIPv4MappedToIPv6;
}
