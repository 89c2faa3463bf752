using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EmailRelay.IntegrationTests.Smtp;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Systemd;

/// <summary>
/// The built relay under systemd's protocols without systemd: the test holds the <c>NOTIFY_SOCKET</c> datagram socket
/// (what systemd reads <c>systemd-notify</c>'s and <c>sd_notify</c>'s messages from), and
/// <c>systemd-socket-activate</c> (Debian <c>systemd</c>) passes listening sockets as systemd does.
/// </summary>
public class SystemdTests
{
    private const string SocketActivate = "/usr/bin/systemd-socket-activate";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Notify_says_ready_once_listening_pings_the_watchdog_and_says_stopping(bool abstractSocket)
    {
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, "notify.sock");
        var name = abstractSocket ? "@emailrelay-test-" + Guid.NewGuid().ToString("N") : path;
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(abstractSocket ? "\0" + name[1..] : path));
        var port = FreePort.Get();
        await using var relay = RelayProcess.Start(dir.Path,
            ["--no-daemon", "--log", "--no-syslog", "--user", "root", "--port", port.ToString(CultureInfo.InvariantCulture), "--interface", "127.0.0.1", "--spool-dir", dir.Path],
            environment: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = name, ["WATCHDOG_USEC"] = "200000" });

        var ready = await ReceiveAsync(notify, relay);
        Assert.Contains("READY=1", ready.Split('\n'));
        Assert.Contains("MAINPID=" + relay.Id.ToString(CultureInfo.InvariantCulture), ready.Split('\n'));
        // READY=1 means listening: the port answers at once.
        var (client, greeting) = await RawSmtp.ConnectAsync(port);
        await using (client)
        {
            Assert.StartsWith("220 ", greeting, StringComparison.Ordinal);
        }

        Assert.Equal("WATCHDOG=1", await ReceiveAsync(notify, relay));
        Assert.Equal("WATCHDOG=1", await ReceiveAsync(notify, relay));
        await RelayProcess.SignalAsync(relay.Id, "TERM");
        string message;
        do
        {
            message = await ReceiveAsync(notify, relay);
        }
        while (message == "WATCHDOG=1");

        Assert.Contains("STOPPING=1", message.Split('\n'));
        Assert.Equal(0, await relay.WaitForExitAsync());
    }

    [Fact]
    public async Task Without_a_watchdog_there_are_no_pings()
    {
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(path));
        await using var relay = RelayProcess.Start(dir.Path,
            ["--no-daemon", "--log", "--no-syslog", "--user", "root", "--port", FreePort.Get().ToString(CultureInfo.InvariantCulture), "--interface", "127.0.0.1", "--spool-dir", dir.Path],
            environment: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = path, ["WATCHDOG_USEC"] = "200000", ["WATCHDOG_PID"] = "1" });
        Assert.Contains("READY=1", (await ReceiveAsync(notify, relay)).Split('\n'));
        await RelayProcess.SignalAsync(relay.Id, "TERM");
        // The next message after READY is STOPPING: no WATCHDOG=1 for a watchdog meant for another process.
        Assert.Contains("STOPPING=1", (await ReceiveAsync(notify, relay)).Split('\n'));
        Assert.Equal(0, await relay.WaitForExitAsync());
    }

    [Fact]
    public async Task Socket_activation_serves_smtp_and_pop_on_the_passed_sockets()
    {
        Assert.True(File.Exists(SocketActivate), SocketActivate + " is not installed (Debian package systemd; see .ci/run)");

        using var dir = new TestDirectory();
        var secrets = Path.Combine(dir.Path, "pop.auth");
        await File.WriteAllTextAsync(secrets, "server plain alice alice-pw\n");
        var smtp = FreePort.Get();
        var pop = FreePort.Get();
        // --port and --pop-port name ports that nothing listens on: the passed sockets replace them.
        var unused = FreePort.Get();
        await using var relay = RelayProcess.Start(dir.Path,
        [
            "-l", "127.0.0.1:" + smtp.ToString(CultureInfo.InvariantCulture), "-l", "127.0.0.1:" + pop.ToString(CultureInfo.InvariantCulture),
            "--fdname=smtp:pop", RelayProcess.ExecutablePath,
            "--no-daemon", "--log", "--no-syslog", "--user", "root", "--port", unused.ToString(CultureInfo.InvariantCulture),
            "--interface", "127.0.0.1", "--pop", "--pop-port", unused.ToString(CultureInfo.InvariantCulture), "--pop-auth", secrets, "--spool-dir", dir.Path,
        ], executable: SocketActivate);
        // systemd-socket-activate binds both, then starts the relay (same process id) on the first connection.
        await relay.WaitForStderrAsync(l => l.Contains("Listening on 127.0.0.1:" + pop.ToString(CultureInfo.InvariantCulture) + " as 4.", StringComparison.Ordinal), "systemd-socket-activate listens");
        var (client, greeting) = await RawSmtp.ConnectAsync(smtp);
        await using (client)
        {
            Assert.StartsWith("220 ", greeting, StringComparison.Ordinal);
        }

        await relay.WaitForStderrAsync(l => l.Contains("smtp server on fd#3", StringComparison.Ordinal), "smtp on the passed socket");
        await relay.WaitForStderrAsync(l => l.Contains("pop server on fd#4", StringComparison.Ordinal), "pop on the passed socket");
        Assert.DoesNotContain(relay.Stderr, l => l.Contains(":" + unused.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));

        using (var popClient = new TcpClient())
        {
            await popClient.ConnectAsync(IPAddress.Loopback, pop);
            using var reader = new StreamReader(popClient.GetStream(), Encoding.ASCII);
            var line = await reader.ReadLineAsync().WaitAsync(Waiting.DefaultTimeout);
            Assert.StartsWith("+OK", line, StringComparison.Ordinal);
        }

        await RelayProcess.SignalAsync(relay.Id, "TERM");
        Assert.Equal(0, await relay.WaitForExitAsync());
    }

    private static async Task<string> ReceiveAsync(Socket notify, RelayProcess relay)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(Waiting.DefaultTimeout);
        try
        {
            var n = await notify.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("no notify message; stderr:\n" + relay.StderrText);
        }
    }
}
