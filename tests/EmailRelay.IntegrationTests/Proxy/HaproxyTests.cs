using System.Globalization;
using System.Text;
using EmailRelay.IntegrationTests.Auth;
using EmailRelay.IntegrationTests.Smtp;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Proxy;

/// <summary>
/// A real HAProxy (Debian <c>haproxy</c>) in TCP mode in front of the built relay, which takes the PROXY protocol from
/// 127.0.0.1 only. The client runs in a network namespace (<see cref="NetworkNamespace"/>, as the DNSBL tests do), so
/// its address is non-local and differs from HAProxy's; the tests check that this address, not HAProxy's, is what
/// the relay logs, writes into <c>Received</c> and the envelope, matches against the secrets file's trusted addresses
/// and judges for <c>--remote-clients</c>. Without root and <c>ip netns</c> they fail, naming the reason.
/// </summary>
public sealed class HaproxyTests : IClassFixture<HaproxyTests.Namespace>
{
    private static readonly TimeSpan s_clientTimeout = TimeSpan.FromSeconds(60);
    private readonly NetworkNamespace _ns;

    public HaproxyTests(Namespace fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        _ns = fixture.Value ?? throw new InvalidOperationException("no network namespace: these tests need root and ip netns (Debian iproute2; see .ci/run)");
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

    /// <summary>A Python smtplib client in the namespace: plain, STARTTLS, or implicit TLS; prints the MAIL reply code, then SENT.</summary>
    private Task<string> SendAsync(int port, string tls)
    {
        var connect = tls == "implicit"
            ? "s=smtplib.SMTP_SSL('" + _ns.HostAddress + "'," + port.ToString(CultureInfo.InvariantCulture) + ",timeout=30,context=c)\n"
            : "s=smtplib.SMTP('" + _ns.HostAddress + "'," + port.ToString(CultureInfo.InvariantCulture) + ",timeout=30)\n";
        var script = "import smtplib,ssl,sys\nc=ssl.create_default_context()\nc.check_hostname=False\nc.verify_mode=ssl.CERT_NONE\n"
            + "try:\n " + connect.Replace("\n", "\n ", StringComparison.Ordinal).TrimEnd(' ')
            + " s.ehlo('client.example')\n"
            + (tls == "starttls" ? " s.starttls(context=c)\n s.ehlo('client.example')\n" : "")
            + " code,_=s.mail('a@b.example')\n sys.stdout.write(str(code)+'\\n')\n s.rcpt('c@d.example')\n s.data(b'Subject: t\\r\\n\\r\\nhello\\r\\n')\n s.quit()\n sys.stdout.write('SENT')\n"
            + "except Exception as e:\n sys.stdout.write('ERROR '+repr(e))\n";
        return _ns.RunPythonAsync(script, s_clientTimeout);
    }

    [Theory]
    [InlineData("send-proxy", "plain", "", "v1")]
    [InlineData("send-proxy", "starttls", "", "v1")]
    [InlineData("send-proxy-v2", "plain", "", "v2")]
    [InlineData("send-proxy-v2", "starttls", "", "v2")]
    [InlineData("send-proxy-v2", "implicit", "", "v2")]
    [InlineData("send-proxy-v2-ssl", "implicit", "ssl", "v2, TLS TLSv1.3")]
    public async Task The_client_behind_haproxy_is_the_peer_everywhere(string sendProxy, string tls, string haproxyTls, string logged)
    {
        using var dir = new TestDirectory();
        var key = Path.Combine(dir.Path, "key.pem");
        var cert = Path.Combine(dir.Path, "cert.pem");
        AuthRelay.WriteCertificate(key, cert);
        var combined = Path.Combine(dir.Path, "haproxy.pem");
        await File.WriteAllTextAsync(combined, await File.ReadAllTextAsync(cert) + "\n" + await File.ReadAllTextAsync(key) + "\n");
        // AUTH is required, except for the trusted address: only the namespace's, never HAProxy's 127.0.0.1.
        var secrets = Path.Combine(dir.Path, "secrets");
        await File.WriteAllTextAsync(secrets, "server plain alice pw\nserver none " + _ns.PeerAddress + "/32 proxied\n");
        List<string> extra =
        [
            "--log-address", "--remote-clients", "--server-proxy-protocol", "127.0.0.1", "--server-auth", secrets,
            "--server-tls-certificate", key, "--server-tls-certificate", cert,
        ];
        // HAProxy terminating TLS speaks plain SMTP to the relay; otherwise the client's TLS passes through.
        extra.Add(haproxyTls.Length == 0 && tls == "implicit" ? "--server-tls-connection" : "--server-tls");
        using var spool = new TestDirectory();
        await using var relay = await StoringRelay.StartAsync(spool.Path, null, [.. extra]);
        var front = FreePort.Get();
        await using var haproxy = await Haproxy.StartAsync(dir.Path, new Haproxy.Route(
            _ns.HostAddress, front, haproxyTls.Length == 0 ? "" : "ssl crt " + combined, ["127.0.0.1:" + relay.Port.ToString(CultureInfo.InvariantCulture) + " " + sendProxy]));

        var output = await SendAsync(front, tls);

        Assert.True(output.EndsWith("SENT", StringComparison.Ordinal), output + "\nrelay:\n" + relay.Process.StderrText + "\nhaproxy:\n" + haproxy.StandardError);
        Assert.StartsWith("250\n", output, StringComparison.Ordinal); // MAIL accepted without AUTH: the trusted address matched
        var (_, content, envelope) = await relay.SingleMessageAsync();
        var envelopeText = Encoding.ASCII.GetString(envelope);
        Assert.Contains("\r\nX-MailRelay-Client: " + _ns.PeerAddress + "\r\n", envelopeText, StringComparison.Ordinal);
        var received = Encoding.ASCII.GetString(content).Split("\r\n")[0];
        Assert.StartsWith("Received: from client.example ([" + _ns.PeerAddress + "])", received, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", received, StringComparison.Ordinal);
        var stderr = relay.Process.Stderr.ToList();
        Assert.Contains(stderr, l => l.Contains("smtp connection from " + _ns.PeerAddress + ":", StringComparison.Ordinal)
            && l.Contains("via balancer 127.0.0.1:", StringComparison.Ordinal) && l.EndsWith("(PROXY protocol " + logged + ")", StringComparison.Ordinal));
        // --log-address puts the client's address, not HAProxy's, on the session's lines (what fail2ban reads).
        Assert.Contains(stderr, l => l.Contains(_ns.PeerAddress + "; ", StringComparison.Ordinal) && l.Contains("smtp connection from " + _ns.PeerAddress, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Remote_clients_judges_the_client_behind_haproxy()
    {
        using var dir = new TestDirectory();
        using var spool = new TestDirectory();
        await using var relay = await StoringRelay.StartAsync(spool.Path, (int?)null, "--server-proxy-protocol", "127.0.0.1");
        var front = FreePort.Get();
        await using var haproxy = await Haproxy.StartAsync(dir.Path, new Haproxy.Route(
            _ns.HostAddress, front, "", ["127.0.0.1:" + relay.Port.ToString(CultureInfo.InvariantCulture) + " send-proxy-v2"]));

        // HAProxy connects from 127.0.0.1, but the client is non-local: without --remote-clients it is refused.
        Assert.Equal("CLOSED", await _ns.ReadGreetingAsync(_ns.HostAddress, front, s_clientTimeout));
        await relay.Process.WaitForStderrAsync(l => l.Contains("configured to reject non-local smtp connection: " + _ns.PeerAddress + " is not in", StringComparison.Ordinal), "the --remote-clients rejection");
    }

    [Fact]
    public async Task A_proxy_header_from_an_untrusted_address_is_refused()
    {
        using var dir = new TestDirectory();
        using var spool = new TestDirectory();
        var port = FreePort.Get();
        // The relay listens on the namespace's side too, and trusts only 127.0.0.1 as a balancer.
        await using var relay = await StoringRelay.StartAsync(spool.Path, port, "--interface", _ns.HostAddress, "--remote-clients", "--server-proxy-protocol", "127.0.0.1");
        var script = "import socket,sys\ns=socket.create_connection(('" + _ns.HostAddress + "'," + port.ToString(CultureInfo.InvariantCulture) + "),timeout=20)\n"
            + "s.sendall(b'PROXY TCP4 127.0.0.1 127.0.0.1 1 25\\r\\nEHLO x\\r\\n')\n"
            + "try:\n d=s.recv(200)\nexcept OSError:\n d=b''\nsys.stdout.write(d.decode('ascii','replace') or 'CLOSED')\n";
        Assert.Equal("CLOSED", await _ns.RunPythonAsync(script, s_clientTimeout));
        await relay.Process.WaitForStderrAsync(l => l.Contains("smtp connection refused: " + _ns.PeerAddress + " is not a trusted PROXY protocol balancer", StringComparison.Ordinal), "the refusal");
        Assert.Empty(relay.Files());
    }
}
