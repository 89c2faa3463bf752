using System.Net;

namespace EmailRelay.Dns;

/// <summary>The system's name servers: the <c>nameserver</c> lines of <c>/etc/resolv.conf</c> (resolv.conf(5)).</summary>
internal static class DnsServers
{
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
