using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EmailRelay.Cli.CommandLine;
using EmailRelay.Hosting;
using EmailRelay.Net;
using EmailRelay.Web;

namespace EmailRelay.Cli.Hosting;

/// <summary>
/// Maps <c>--http [address:]port</c>, <c>--http-auth</c>, <c>--http-no-auth</c>, the <c>--interface http=</c>
/// entries, <c>--remote-clients</c> and the server certificate to <see cref="WebConsoleOptions"/>. The listener is on
/// loopback (127.0.0.1, and ::1 where the host has IPv6) unless <c>--remote-clients</c>; with it, on the
/// <c>--http</c> address, else the <c>http=</c> entries (addresses or interface names), else every address. A
/// non-loopback address without <c>--remote-clients</c> is a configuration error.
/// </summary>
internal static class WebOptionsMapper
{
    /// <summary>The console's options, or null without <c>--http</c>.</summary>
    public static WebConsoleOptions? Map(UnitOptions options, RelayUnit unit, string startDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(unit);
        if (options.Get("http") is not { } value)
        {
            return null;
        }

        var (address, port) = Parse(value);
        bool remote = options.IsSet("remote-clients");
        List<IPAddress> addresses;
        if (address is not null)
        {
            addresses = [address];
        }
        else if (Entries(options.Get("interface")) is { Count: > 0 } entries)
        {
            addresses = [];
            foreach (var entry in entries)
            {
                if (IPAddress.TryParse(entry, out var parsed))
                {
                    addresses.Add(parsed);
                }
                else
                {
                    addresses.AddRange(InterfaceList.LookupInterface(entry) ?? throw new ConfigurationException("invalid interface specification: http=" + entry + ": no such address or interface"));
                }
            }
        }
        else
        {
            addresses = remote
                ? [Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any]
                : [IPAddress.Loopback, .. Socket.OSSupportsIPv6 ? (IPAddress[])[IPAddress.IPv6Loopback] : []];
        }

        if (!remote && addresses.Find(a => !IPAddress.IsLoopback(a)) is { } open)
        {
            throw new ConfigurationException("--http: " + open + " is not a loopback address: the web console listens on loopback only unless --remote-clients is given");
        }

        return new WebConsoleOptions
        {
            Endpoints = [.. addresses.Select(a => new IPEndPoint(a, port))],
            AuthFile = options.Get("http-auth") is { } auth ? UnitOptionsMapper.ResolvePath(auth, startDirectory) : null,
            NoAuth = options.IsSet("http-no-auth"),
            Tls = unit.ServerTls,
        };
    }

    /// <summary>Parses <c>[address:]port</c> (an IPv6 address in brackets); throws <see cref="ConfigurationException"/>.</summary>
    public static (IPAddress? Address, int Port) Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int colon = value.LastIndexOf(':');
        string portText = colon < 0 ? value : value[(colon + 1)..];
        IPAddress? address = null;
        if (colon >= 0)
        {
            string host = value[..colon];
            if (host.StartsWith('[') && host.EndsWith(']'))
            {
                host = host[1..^1];
            }

            if (!IPAddress.TryParse(host, out address))
            {
                throw new ConfigurationException("--http: invalid address [" + value[..colon] + "]: use an IP address");
            }
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new ConfigurationException("--http: invalid port number [" + portText + "]");
        }

        return (address, port);
    }

    private static List<string> Entries(string? interfaces)
    {
        var result = new List<string>();
        foreach (var raw in (interfaces ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw.StartsWith("http=", StringComparison.OrdinalIgnoreCase))
            {
                result.Add(raw["http=".Length..]);
            }
        }

        return result;
    }
}
