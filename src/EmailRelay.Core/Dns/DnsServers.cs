using System.Net;

namespace EmailRelay.Dns;

/// <summary>
/// The system's name servers: on Unix the <c>nameserver</c> lines of <c>/etc/resolv.conf</c> (resolv.conf(5)); on
/// Windows those of the network adapters (.NET's network-interface API, which reads what <c>ipconfig /all</c> shows).
/// </summary>
internal static class DnsServers
{
    /// <summary>The name servers of the running system (<see cref="FromInterfaces"/> on Windows, <see cref="FromResolvConf"/> elsewhere).</summary>
    public static IReadOnlyList<IPEndPoint> FromSystem()
    {
        if (!OperatingSystem.IsWindows())
        {
            return FromResolvConf();
        }

        var adapters = new List<(bool, IReadOnlyList<IPAddress>)>();
        try
        {
            foreach (var adapter in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
            {
                adapters.Add((adapter.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up, [.. adapter.GetIPProperties().DnsAddresses]));
            }
        }
        catch (System.Net.NetworkInformation.NetworkInformationException)
        {
            // No adapters to be read: the local fallback below.
        }

        return FromInterfaces(adapters);
    }

    /// <summary>
    /// The name servers of network adapters, port 53: those of the adapters that are up, in adapter order, each once,
    /// without the <c>fec0:0:0:ffff::1-3</c> placeholders Windows lists for IPv6 when none is configured; when there are
    /// none, the local one (<c>127.0.0.1</c>), as on Unix.
    /// </summary>
    public static IReadOnlyList<IPEndPoint> FromInterfaces(IEnumerable<(bool Up, IReadOnlyList<IPAddress> Servers)> adapters)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        var servers = new List<IPEndPoint>();
        foreach (var (up, addresses) in adapters)
        {
            foreach (var address in up ? addresses : [])
            {
                var bytes = address.GetAddressBytes();
                bool placeholder = bytes.Length == 16 && bytes[0] == 0xfe && bytes[1] == 0xc0 && bytes.AsSpan(2, 4).IndexOfAnyExcept((byte)0) < 0
                    && bytes[6] == 0xff && bytes[7] == 0xff && bytes.AsSpan(8, 7).IndexOfAnyExcept((byte)0) < 0 && bytes[15] is >= 1 and <= 3;
                var endPoint = new IPEndPoint(address, 53);
                if (!placeholder && !servers.Contains(endPoint))
                {
                    servers.Add(endPoint);
                }
            }
        }

        return servers.Count > 0 ? servers : [new IPEndPoint(IPAddress.Loopback, 53)];
    }

    /// <summary>The system configuration file.</summary>
    public const string ResolvConf = "/etc/resolv.conf";

    /// <summary>
    /// The name servers of a resolv.conf file, port 53, in file order; when the file is missing or names none, the
    /// local one (<c>127.0.0.1</c>), as the C library does.
    /// </summary>
    public static IReadOnlyList<IPEndPoint> FromResolvConf(string path = ResolvConf)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lines = [];
        }

        return Parse(lines);
    }

    /// <summary>The name servers of resolv.conf lines.</summary>
    public static IReadOnlyList<IPEndPoint> Parse(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var servers = new List<IPEndPoint>();
        foreach (var line in lines)
        {
            var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length >= 2 && string.Equals(words[0], "nameserver", StringComparison.Ordinal) && IPAddress.TryParse(words[1], out var address))
            {
                servers.Add(new IPEndPoint(address, 53));
            }
        }

        return servers.Count > 0 ? servers : [new IPEndPoint(IPAddress.Loopback, 53)];
    }
}
