using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EmailRelay.IntegrationTests.Admin;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Dns;

/// <summary>
/// <c>--dnsbl</c> in the built executable against a real DNS server (dnsmasq with a test zone on loopback). DNSBL never
/// checks loopback or private peers, so the client connects from a network namespace with a non-local address
/// (<see cref="NetworkNamespace"/>); without root and <c>ip netns</c> the tests report skipped.
/// </summary>
public sealed class DnsblTests : IClassFixture<DnsblTests.Namespace>
{
    private static readonly TimeSpan s_clientTimeout = TimeSpan.FromSeconds(40);
    private readonly NetworkNamespace? _ns;

    public DnsblTests(Namespace fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        _ns = fixture.Value;
    }

    /// <summary>One namespace for the class.</summary>
    public sealed class Namespace : IAsyncLifetime
    {
        public NetworkNamespace? Value { get; private set; }

        public async Task InitializeAsync() => Value = await NetworkNamespace.TryCreateAsync();

        public async Task DisposeAsync()
        {
            if (Value is not null)
            {
                await Value.DisposeAsync();
            }
        }
    }

    private string Reversed => string.Join('.', _ns!.PeerAddress.Split('.').Reverse());

    private Task<Dnsmasq> StartDnsAsync() => Dnsmasq.StartAsync(
        "--local=/test/",
        "--address=/" + Reversed + ".bl.test/127.0.0.2",
        "--address=/" + Reversed + ".second.test/127.0.0.4");

    [SkippableTheory]
    [InlineData("bl.test,1,5000,{dns}", true, "dnsbl: address [{peer}] blocked by [bl.test]")]
    [InlineData("clean.test,1,5000,{dns}", false, "")]
    [InlineData("bl.test,0,5000,{dns}", false, "dnsbl: address [{peer}] would be blocked by [bl.test]")]
    [InlineData("bl.test,clean.test,2,5000,{dns}", false, "dnsbl: address [{peer}] listed by [bl.test]: below the threshold of 2")]
    [InlineData("bl.test,clean.test,second.test,2,5000,{dns}", true, "dnsbl: address [{peer}] blocked by [bl.test second.test]")]
    [InlineData("{dns},5000,1,bl.test", true, "dnsbl: address [{peer}] blocked by [bl.test]")]
    public async Task A_listed_client_is_dropped_before_the_greeting(string dnsbl, bool dropped, string logLine)
    {
        Skip.If(_ns is null, NetworkNamespace.Unavailable);

        await using var dns = await StartDnsAsync();
        await using var relay = await StartRelayAsync(dnsbl.Replace("{dns}", dns.Address, StringComparison.Ordinal));

        var greeting = await _ns.ReadGreetingAsync(_ns.HostAddress, relay.Port, s_clientTimeout);

        Assert.Equal(dropped ? "CLOSED" : "220 ", dropped ? greeting : greeting[..Math.Min(4, greeting.Length)]);
        var queried = dnsbl.Split(',').First(s => s.EndsWith(".test", StringComparison.Ordinal));
        Assert.Contains("query[A] " + Reversed + "." + queried + " from", dns.Log, StringComparison.Ordinal);
        if (logLine.Length > 0)
        {
            await relay.Process.WaitForStderrAsync(l => l.Contains(logLine.Replace("{peer}", _ns.PeerAddress, StringComparison.Ordinal), StringComparison.Ordinal), "the dnsbl log line");
        }
    }

    [SkippableTheory]
    [InlineData(500, false)]
    [InlineData(-500, true)]
    public async Task A_timeout_allows_the_client_unless_the_timeout_is_negative(int timeoutMs, bool dropped)
    {
        Skip.If(_ns is null, NetworkNamespace.Unavailable);

        using var silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var server = "127.0.0.1:" + ((IPEndPoint)silent.Client.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture);
        await using var relay = await StartRelayAsync("bl.test,1," + timeoutMs.ToString(CultureInfo.InvariantCulture) + "," + server);

        var started = TimeProvider.System.GetTimestamp();
        var greeting = await _ns.ReadGreetingAsync(_ns.HostAddress, relay.Port, s_clientTimeout);
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        Assert.True(dropped ? greeting == "CLOSED" : greeting.StartsWith("220 ", StringComparison.Ordinal), greeting);
        Assert.True(silent.Available > 0, "the query reached the silent server");
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(500), elapsed.ToString());
        var expected = dropped
            ? "dnsbl: address [" + _ns.PeerAddress + "] blocked: no answer from [bl.test] within 500ms"
            : "dnsbl: address [" + _ns.PeerAddress + "]: no answer from [bl.test] within 500ms: connection allowed";
        await relay.Process.WaitForStderrAsync(l => l.Contains(expected, StringComparison.Ordinal), "the timeout log line");
    }

    [SkippableFact]
    public async Task Data_sent_before_the_greeting_is_discarded()
    {
        Skip.If(_ns is null, NetworkNamespace.Unavailable);

        // A silent name server makes the check last the whole 1000 ms timeout, so the early QUIT surely arrives during it.
        using var silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var server = "127.0.0.1:" + ((IPEndPoint)silent.Client.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture);
        await using var relay = await StartRelayAsync("bl.test,1,1000," + server);
        var script = "import socket,sys\ns=socket.create_connection(('" + _ns.HostAddress + "'," + relay.Port.ToString(CultureInfo.InvariantCulture) + "),timeout=20)\n"
            + "s.sendall(b'QUIT\\r\\n')\nf=s.makefile('rb')\nsys.stdout.write(f.readline().decode()[:4])\n"
            + "s.sendall(b'NOOP\\r\\n')\nsys.stdout.write(f.readline().decode()[:4])\n";

        var output = await _ns.RunPythonAsync(script, s_clientTimeout);

        // Had QUIT been read, the reply after the greeting would be 221 and the connection closed.
        Assert.Equal("220 250 ", output);
    }

    [SkippableFact]
    public async Task A_passing_client_of_an_implicit_tls_listener_keeps_its_client_hello()
    {
        Skip.If(_ns is null, NetworkNamespace.Unavailable);

        // The ClientHello arrives during the check (a silent name server makes it last the 1000 ms timeout); it must
        // not be discarded as early SMTP input, or the SMTPS handshake waits forever.
        using var silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var server = "127.0.0.1:" + ((IPEndPoint)silent.Client.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture);
        using var certificates = new TestDirectory();
        var key = Path.Combine(certificates.Path, "key.pem");
        var cert = Path.Combine(certificates.Path, "cert.pem");
        Auth.AuthRelay.WriteCertificate(key, cert);
        await using var relay = await StartRelayAsync("bl.test,1,1000," + server, "--server-tls-connection",
            "--server-tls-certificate", key, "--server-tls-certificate", cert);
        var script = "import socket,ssl,sys\nc=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\nc.check_hostname=False\nc.verify_mode=ssl.CERT_NONE\n"
            + "s=c.wrap_socket(socket.create_connection(('" + _ns.HostAddress + "'," + relay.Port.ToString(CultureInfo.InvariantCulture) + "),timeout=10))\n"
            + "sys.stdout.write(s.makefile('rb').readline().decode()[:4])\n";

        var output = await _ns.RunPythonAsync(script, s_clientTimeout);

        Assert.Equal("220 ", output);
    }

    [SkippableFact]
    public async Task Admin_dnsbl_stop_lets_a_listed_client_in_and_dnsbl_start_drops_it_again()
    {
        Skip.If(_ns is null, NetworkNamespace.Unavailable);

        await using var dns = await StartDnsAsync();
        var admin = FreePort.Get();
        await using var relay = await StartRelayAsync("bl.test,1,5000," + dns.Address, "--admin", admin.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("CLOSED", await _ns.ReadGreetingAsync(_ns.HostAddress, relay.Port, s_clientTimeout));

        await using (var client = await AdminClient.ConnectAsync(admin))
        {
            Assert.StartsWith("OK", await client.CommandAsync("dnsbl stop"), StringComparison.Ordinal);
            Assert.StartsWith("220 ", await _ns.ReadGreetingAsync(_ns.HostAddress, relay.Port, s_clientTimeout), StringComparison.Ordinal);
            Assert.StartsWith("OK", await client.CommandAsync("dnsbl start"), StringComparison.Ordinal);
        }

        Assert.Equal("CLOSED", await _ns.ReadGreetingAsync(_ns.HostAddress, relay.Port, s_clientTimeout));
        var queries = dns.Log.Split('\n').Count(l => l.Contains("query[A] " + Reversed + ".bl.test", StringComparison.Ordinal));
        Assert.Equal(2, queries); // none while stopped
    }

    [SkippableFact]
    public async Task A_loopback_client_is_never_checked()
    {
        Skip.If(_ns is null, NetworkNamespace.Unavailable);

        await using var dns = await Dnsmasq.StartAsync("--local=/test/", "--address=/1.0.0.127.bl.test/127.0.0.2");
        await using var relay = await StartRelayAsync("bl.test,1,5000," + dns.Address);
        await using var dialog = await EmailRelay.IntegrationTests.Filters.SmtpDialog.OpenAsync(relay.Port);
        Assert.DoesNotContain("query[", dns.Log, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("1,1000")]
    [InlineData("bl.test,1,1000,127.0.0.1:0")]
    public async Task An_invalid_dnsbl_value_is_a_startup_error(string dnsbl)
    {
        using var dir = new TestDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "spool"));
        await using var relay = RelayProcess.Start(dir.Path,
        [
            "--no-daemon", "--log", "--no-syslog", "--user", Environment.UserName, "--port", FreePort.Get().ToString(CultureInfo.InvariantCulture),
            "--interface", "127.0.0.1", "--spool-dir", Path.Combine(dir.Path, "spool"), "--remote-clients", "--dnsbl", dnsbl,
        ]);
        Assert.NotEqual(0, await relay.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("invalid dnsbl option: [" + dnsbl + "]", relay.StderrText, StringComparison.Ordinal);
    }

    private async Task<Relay> StartRelayAsync(string dnsbl, params string[] extra)
    {
        var dir = new TestDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "spool"));
        var port = FreePort.Get();
        string[] args =
        [
            "--no-daemon", "--log", "-v", "--no-syslog", "--user", Environment.UserName, "--port", port.ToString(CultureInfo.InvariantCulture),
            "--interface", "127.0.0.1," + _ns!.HostAddress, "--spool-dir", Path.Combine(dir.Path, "spool"), "--remote-clients",
            "--dnsbl", dnsbl, .. extra,
        ];
        var process = RelayProcess.Start(dir.Path, args);
        await process.WaitForStderrAsync(l => l.Contains("smtp server on", StringComparison.Ordinal) && l.Contains(_ns.HostAddress, StringComparison.Ordinal), "listening");
        return new Relay(process, port, dir);
    }

    private sealed record Relay(RelayProcess Process, int Port, TestDirectory Directory) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Process.DisposeAsync();
            Directory.Dispose();
        }
    }
}
