using System.Globalization;

namespace EmailRelay.Testing.Tools;

/// <summary>
/// Debian's <c>dnsmasq</c> (package <c>dnsmasq-base</c>) as an authoritative-only DNS server for a test zone on a
/// free loopback port: no upstream servers, no <c>/etc/hosts</c>, no config file, queries logged to stderr. The zone
/// comes as dnsmasq options (<c>--mx-host</c>, <c>--host-record</c>, <c>--address</c>, <c>--txt-record</c>,
/// <c>--local=/test/</c> for NXDOMAIN). Dispose kills it.
/// </summary>
public sealed class Dnsmasq : IAsyncDisposable
{
    /// <summary>Where Debian installs it.</summary>
    public const string Path = "/usr/sbin/dnsmasq";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(20);
    private readonly ToolProcess _process;

    private Dnsmasq(ToolProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>True if the program is installed.</summary>
    public static bool IsInstalled => File.Exists(Path);

    /// <summary>The UDP and TCP port it serves at <see cref="FreePort.Host"/>.</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>, as the relay's options take it.</summary>
    public string Address => FreePort.Host + ":" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Its log so far (one <c>query[TYPE] name</c> line per query).</summary>
    public string Log => _process.StandardError + _process.StandardOutput;

    /// <summary>Starts it with the zone options; retries on a port conflict.</summary>
    public static async Task<Dnsmasq> StartAsync(params string[] zone)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Get();
            string[] args =
            [
                "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--pid-file=",
                "--port=" + port.ToString(CultureInfo.InvariantCulture), "--listen-address=127.0.0.1", "--bind-interfaces",
                "--log-queries", "--log-facility=-", .. zone,
            ];
            var process = ToolProcess.Start(Path, args);
            if (await Poll.TryUntilAsync(() => process.HasExited || FreePort.IsListening(port), s_startTimeout) && !process.HasExited)
            {
                return new Dnsmasq(process, port);
            }

            var output = process.StandardError + process.StandardOutput;
            await process.DisposeAsync();
            if (attempt == 3)
            {
                throw new InvalidOperationException($"dnsmasq did not start on port {port}: {output}");
            }
        }
    }

    /// <summary>Waits until its log shows a query for <paramref name="name"/>.</summary>
    public Task WaitForQueryAsync(string name, TimeSpan timeout)
        => Poll.UntilAsync(() => Log.Contains(" " + name + " from ", StringComparison.Ordinal), timeout, $"a dnsmasq query for {name} (log: {Log})");

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
