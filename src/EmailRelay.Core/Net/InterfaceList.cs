using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace EmailRelay.Net;

/// <summary>
/// Turns <c>--interface</c> entries into listening end points (reference §g "Listening"). Entries are
/// IP addresses (IPv6 link-local with a <c>%zone</c>), interface names (<c>eth0</c>, <c>eth0-ipv4</c>,
/// <c>eth0-ipv6</c>), <c>fd#N</c> inherited sockets or absolute paths (unix sockets), each optionally
/// qualified with <c>smtp=</c>, <c>pop=</c> or <c>admin=</c> (<c>http=</c> entries are the web console's and ignored here). A service with no entry listens on
/// <c>0.0.0.0</c> and <c>::</c>. Errors throw <see cref="FormatException"/> with an operator-facing message.
/// </summary>
public static class InterfaceList
{
    /// <summary>Resolves the entries for the enabled services.</summary>
    /// <param name="entries">The <c>--interface</c> values; each may itself be a comma list.</param>
    /// <param name="ports">The port of each enabled service.</param>
    /// <param name="lookupInterface">Addresses of a named network interface, or null if there is none (default: <see cref="NetworkInterface"/>).</param>
    public static IReadOnlyList<ListenEndpoint> Resolve(
        IEnumerable<string> entries,
        IReadOnlyDictionary<ListenService, int> ports,
        Func<string, IReadOnlyList<IPAddress>?>? lookupInterface = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(ports);
        lookupInterface ??= LookupInterface;
        var result = new List<ListenEndpoint>();
        var services = new HashSet<ListenService>();
        foreach (var value in entries)
        {
            foreach (var raw in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var (qualifier, spec) = SplitQualifier(raw);
                foreach (var service in ServicesFor(qualifier, spec, ports))
                {
                    services.Add(service);
                    result.AddRange(Expand(service, spec, ports[service], lookupInterface));
                }
            }
        }

        foreach (var (service, port) in ports.OrderBy(p => p.Key))
        {
            if (!services.Contains(service))
            {
                result.Add(new ListenEndpoint(service, new IPEndPoint(IPAddress.Any, port), IsDefault: true));
                result.Add(new ListenEndpoint(service, new IPEndPoint(IPAddress.IPv6Any, port), IsDefault: true));
            }
        }

        return result;
    }

    /// <summary>The addresses of a network interface by name, or null if no such interface exists.</summary>
    public static IReadOnlyList<IPAddress>? LookupInterface(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (string.Equals(nic.Name, name, StringComparison.Ordinal))
            {
                return [.. nic.GetIPProperties().UnicastAddresses.Select(a => a.Address)];
            }
        }

        return null;
    }

    private static (string? Qualifier, string Spec) SplitQualifier(string raw)
    {
        var eq = raw.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? (null, raw) : (raw[..eq].ToLowerInvariant(), raw[(eq + 1)..]);
    }

    private static IEnumerable<ListenService> ServicesFor(string? qualifier, string spec, IReadOnlyDictionary<ListenService, int> ports)
    {
        if (qualifier == "http")
        {
            return []; // the web console's (--http), resolved by its own options mapper
        }

        ListenService? only = qualifier switch
        {
            null => null,
            "smtp" => ListenService.Smtp,
            "pop" => ListenService.Pop,
            "admin" => ListenService.Admin,
            "client" => throw new FormatException("invalid interface specification: use --client-interface for client=" + spec),
            _ => throw new FormatException("invalid interface specification: unknown qualifier [" + qualifier + "=]"),
        };
        if (only is ListenService s)
        {
            return ports.ContainsKey(s) ? [s] : [];
        }

        // A socket path or descriptor can only serve one service; unqualified ones go to SMTP.
        if (spec.StartsWith('/') || spec.StartsWith("fd#", StringComparison.Ordinal))
        {
            return ports.ContainsKey(ListenService.Smtp) ? [ListenService.Smtp] : [];
        }

        return ports.Keys.Order();
    }

    private static List<ListenEndpoint> Expand(ListenService service, string spec, int port, Func<string, IReadOnlyList<IPAddress>?> lookupInterface)
    {
        if (spec.StartsWith("fd#", StringComparison.Ordinal))
        {
            if (!int.TryParse(spec.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out var fd) || fd < 3)
            {
                throw new FormatException("invalid interface specification: [" + spec + "]");
            }

            return [new ListenEndpoint(service, null, fd)];
        }

        if (spec.StartsWith('/'))
        {
            return [new ListenEndpoint(service, new UnixDomainSocketEndPoint(spec))];
        }

        if (IPAddress.TryParse(spec, out var address))
        {
            return [new ListenEndpoint(service, new IPEndPoint(address, port))];
        }

        var (name, family) = SplitFamily(spec);
        var addresses = lookupInterface(name)
            ?? throw new FormatException("invalid interface specification: no such address or network interface: [" + spec + "]");
        var chosen = addresses
            .Where(a => family is null || a.AddressFamily == family)
            .Select(a => new ListenEndpoint(service, new IPEndPoint(a, port)))
            .ToList();
        if (chosen.Count == 0)
        {
            throw new FormatException("invalid interface specification: no addresses for network interface: [" + spec + "]");
        }

        return chosen;
    }

    private static (string Name, AddressFamily? Family) SplitFamily(string spec)
    {
        if (spec.EndsWith("-ipv4", StringComparison.OrdinalIgnoreCase))
        {
            return (spec[..^5], AddressFamily.InterNetwork);
        }

        if (spec.EndsWith("-ipv6", StringComparison.OrdinalIgnoreCase))
        {
            return (spec[..^5], AddressFamily.InterNetworkV6);
        }

        return (spec, null);
    }
}
