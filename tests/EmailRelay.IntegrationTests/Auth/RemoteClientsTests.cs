using System.Globalization;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Auth;

/// <summary>
/// <c>--remote-clients</c> with a real non-local peer: a network namespace joined to this one by a veth
/// pair with addresses from 100.64.0.0/10 (not a local range), created here and deleted afterwards.
/// Needs root and <c>ip netns</c>; otherwise the test returns without checking.
/// </summary>
public sealed class RemoteClientsTests : IAsyncLifetime
{
    private readonly string _ns = "ert" + Random.Shared.Next(100000, 999999).ToString(CultureInfo.InvariantCulture);
    private readonly int _subnet = Random.Shared.Next(1, 250);
    private bool _ready;

    private string HostAddress => "100.64." + _subnet.ToString(CultureInfo.InvariantCulture) + ".1";

    private string PeerAddress => "100.64." + _subnet.ToString(CultureInfo.InvariantCulture) + ".2";

    public async Task InitializeAsync()
    {
        if (Environment.UserName != "root" || !File.Exists("/usr/sbin/ip") && !File.Exists("/usr/bin/ip") && !File.Exists("/sbin/ip"))
        {
            return;
        }

        if (await Ip("netns", "add", _ns) != 0)
        {
            return;
        }

        _ready = await Ip("link", "add", "h" + _ns, "type", "veth", "peer", "name", "p" + _ns) == 0
            && await Ip("link", "set", "p" + _ns, "netns", _ns) == 0
            && await Ip("addr", "add", HostAddress + "/30", "dev", "h" + _ns) == 0
            && await Ip("link", "set", "h" + _ns, "up") == 0
            && await Ip("-n", _ns, "addr", "add", PeerAddress + "/30", "dev", "p" + _ns) == 0
            && await Ip("-n", _ns, "link", "set", "p" + _ns, "up") == 0
            && await Ip("-n", _ns, "link", "set", "lo", "up") == 0;
    }

    public async Task DisposeAsync()
    {
        await Ip("link", "del", "h" + _ns);
        await Ip("netns", "del", _ns);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_non_local_client_needs_remote_clients(bool remoteClients)
    {
        if (!_ready)
        {
            return;
        }

        using var dir = new TestDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "spool"));
        int port = FreePort.Get();
        List<string> args =
        [
            "--no-daemon", "--log", "--user", Environment.UserName, "--port", port.ToString(CultureInfo.InvariantCulture),
            "--interface", HostAddress, "--spool-dir", Path.Combine(dir.Path, "spool"),
        ];
        if (remoteClients)
        {
            args.Add("--remote-clients");
        }

        await using var relay = RelayProcess.Start(dir.Path, args);
        await relay.WaitForStderrAsync(l => l.Contains("smtp server on", StringComparison.Ordinal), "listening");
        string script = "import socket,sys\ns=socket.create_connection(('" + HostAddress + "'," + port.ToString(CultureInfo.InvariantCulture) + "),timeout=20)\n"
            + "try:\n d=s.recv(200)\nexcept OSError:\n d=b''\nsys.stdout.write(d.decode('ascii','replace') or 'CLOSED')\n";
        await using var client = ToolProcess.Start(IpPath(), ["netns", "exec", _ns, "/usr/bin/python3", "-c", script]);
        await client.WaitForExitAsync(TimeSpan.FromSeconds(40));
        if (remoteClients)
        {
            Assert.StartsWith("220 ", client.StandardOutput, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("CLOSED", client.StandardOutput);
            await relay.WaitForStderrAsync(l => l.Contains("configured to reject non-local smtp connection: " + PeerAddress, StringComparison.Ordinal), "rejection warning");
        }
    }

    private static string IpPath() => File.Exists("/usr/sbin/ip") ? "/usr/sbin/ip" : File.Exists("/sbin/ip") ? "/sbin/ip" : "/usr/bin/ip";

    private static async Task<int> Ip(params string[] args)
    {
        await using var p = ToolProcess.Start(IpPath(), args);
        return await p.WaitForExitAsync(TimeSpan.FromSeconds(20));
    }
}
