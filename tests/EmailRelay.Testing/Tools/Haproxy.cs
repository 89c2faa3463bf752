using System.Globalization;
using System.Net;
using System.Text;

namespace EmailRelay.Testing.Tools;

/// <summary>
/// A real HAProxy (Debian <c>haproxy</c>, <c>/usr/sbin/haproxy</c>) run in the foreground in TCP mode with one
/// frontend per <see cref="Route"/>, started once every frontend is in LISTEN state (read from
/// <c>/proc/net/tcp</c>, without connecting). Dispose stops it.
/// </summary>
public sealed class Haproxy : IAsyncDisposable
{
    /// <summary>The program.</summary>
    public const string Program = "/usr/sbin/haproxy";

    private readonly ToolProcess _process;

    private Haproxy(ToolProcess process, string config)
    {
        _process = process;
        Config = config;
    }

    /// <summary>One frontend: listen on <paramref name="Address"/>:<paramref name="Port"/> with <paramref name="BindOptions"/> (e.g. <c>ssl crt file.pem</c>), balancing over <paramref name="Servers"/> (<c>host:port</c> and options, e.g. <c>127.0.0.1:25 send-proxy-v2</c>).</summary>
    public sealed record Route(string Address, int Port, string BindOptions, IReadOnlyList<string> Servers);

    /// <summary>The configuration text.</summary>
    public string Config { get; }

    /// <summary>HAProxy's stderr so far.</summary>
    public string StandardError => _process.StandardError;

    /// <summary>Writes the configuration into <paramref name="directory"/> and starts HAProxy.</summary>
    public static async Task<Haproxy> StartAsync(string directory, params Route[] routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        if (!File.Exists(Program))
        {
            throw new InvalidOperationException(Program + " is not installed (Debian package haproxy; see .ci/run)");
        }

        var config = new StringBuilder();
        config.Append("global\n  maxconn 4096\n\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n");
        for (var i = 0; i < routes.Length; i++)
        {
            var route = routes[i];
            var n = i.ToString(CultureInfo.InvariantCulture);
            config.Append("\nfrontend f").Append(n).Append("\n  bind ").Append(route.Address).Append(':').Append(route.Port.ToString(CultureInfo.InvariantCulture))
                .Append(route.BindOptions.Length > 0 ? " " + route.BindOptions : "").Append("\n  default_backend b").Append(n).Append('\n');
            config.Append("\nbackend b").Append(n).Append("\n  balance roundrobin\n");
            for (var s = 0; s < route.Servers.Count; s++)
            {
                config.Append("  server s").Append(s.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(route.Servers[s]).Append('\n');
            }
        }

        var path = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(path, config.ToString());
        var process = ToolProcess.Start(Program, ["-db", "-f", path]);
        var haproxy = new Haproxy(process, config.ToString());
        try
        {
            await Poll.UntilAsync(() => process.HasExited || routes.All(r => IsListening(r.Address, r.Port)), Waiting.DefaultTimeout, "haproxy listens");
            if (process.HasExited)
            {
                throw new InvalidOperationException("haproxy exited: " + process.StandardError + "\n" + config);
            }
        }
        catch
        {
            await haproxy.DisposeAsync();
            throw;
        }

        return haproxy;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>True if the IPv4 <paramref name="address"/>:<paramref name="port"/> is in LISTEN state.</summary>
    public static bool IsListening(string address, int port)
    {
        var bytes = IPAddress.Parse(address).GetAddressBytes();
        var hex = string.Concat(bytes.Reverse().Select(b => b.ToString("X2", CultureInfo.InvariantCulture))) + ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        return File.ReadLines("/proc/net/tcp").Skip(1).Any(line =>
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 3 && fields[1] == hex && fields[3] == "0A";
        });
    }
}
