using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailRelay.IntegrationTests.Dns;

/// <summary>
/// The <c>mx:</c> client filter in the built executable (<c>--as-client</c>) against a real DNS server: dnsmasq on a
/// loopback port serving a test zone. Messages are seeded with a ForwardTo; the routed addresses are closed ports, so
/// each message stays in the spool with the ForwardToAddress the filter wrote, which the test reads back. One test
/// delivers for real through MX and A records.
/// </summary>
public sealed class MxFilterTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);

    private static readonly string[] s_zone =
    [
        "--local=/test/",
        "--mx-host=mail.test,mx1.mail.test,10", "--mx-host=mail.test,mx9.mail.test,90",
        "--host-record=mx1.mail.test,127.0.0.1", "--host-record=mx9.mail.test,127.0.0.9",
        "--mx-host=six.test,mx6.six.test,10", "--host-record=mx6.six.test,::1",
        "--host-record=nomx.test,127.0.0.3",
        "--mx-host=zero.test,mx0.zero.test,10", "--host-record=mx0.zero.test,0.0.0.0",
        "--txt-record=mail.test,\"not an address\"",
    ];

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("mail.test:{port}", "127.0.0.1:{port}", "query[MX] mail.test,query[A] mx1.mail.test")]
    [InlineData("mail.test", "127.0.0.1:25", "query[MX] mail.test,query[A] mx1.mail.test")]
    [InlineData("six.test:{port}", "[::1]:{port}", "query[MX] six.test,query[A] mx6.six.test,query[AAAA] mx6.six.test")]
    [InlineData("nomx.test:{port}", "127.0.0.3:{port}", "query[MX] nomx.test,query[A] nomx.test")]
    [InlineData("[127.0.0.1]:{port}", "127.0.0.1:{port}", "")]
    [InlineData("[IPv6:::1]:{port}", "[::1]:{port}", "")]
    [InlineData("127.0.0.1", "127.0.0.1:25", "")]
    public async Task Mx_writes_the_looked_up_address_into_ForwardToAddress(string forwardTo, string expected, string queries)
    {
        await using var dns = await Dnsmasq.StartAsync(s_zone);
        using var dir = new TestDirectory();
        var spool = Spool(dir);
        var closed = Port(FreePort.Get());
        await SeedAsync(spool, forwardTo.Replace("{port}", closed, StringComparison.Ordinal));

        var (_, stderr) = await AsClientAsync(dir.Path, spool, "127.0.0.1:" + Port(FreePort.Get()), "--client-filter=mx:" + dns.Address);

        var envelope = await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(spool, "*.envelope")));
        Assert.Contains("X-MailRelay-ForwardToAddress: " + expected.Replace("{port}", closed, StringComparison.Ordinal) + "\r\n", envelope, StringComparison.Ordinal);
        foreach (var query in queries.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.Contains(query + " from", dns.Log, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("mx9", dns.Log, StringComparison.Ordinal);
        if (queries.Length == 0)
        {
            Assert.DoesNotContain("query[", dns.Log, StringComparison.Ordinal);
        }

        Assert.Contains("routing-filter [mx:", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mail.test:{port}", "", false, "query[A] mx1.mail.test")] // MX then A; --forward-to is a closed port
    [InlineData("zero.test", "127.0.0.1:1", true, "query[A] mx0.zero.test")] // 0.0.0.0 clears ForwardToAddress
    [InlineData("", "", true, "")] // no ForwardTo: no lookup
    public async Task The_message_is_delivered_where_mx_routes_it(string forwardTo, string forwardToAddress, bool viaForwardTo, string query)
    {
        await using var dns = await Dnsmasq.StartAsync(s_zone);
        using var dir = new TestDirectory();
        var spool = Spool(dir);
        var up = Directory.CreateDirectory(Path.Combine(dir.Path, "up")).FullName;
        await using var server = await AiosmtpdServer.StartAsync(up);
        await SeedAsync(spool, forwardTo.Replace("{port}", Port(server.Port), StringComparison.Ordinal), forwardToAddress);

        var target = "127.0.0.1:" + Port(viaForwardTo ? server.Port : FreePort.Get());
        var (exit, stderr) = await AsClientAsync(dir.Path, spool, target, "--client-filter=mx:" + dns.Address);

        Assert.True(exit == 0, stderr);
        Assert.Equal(["b@mail.test"], Assert.Single(server.Messages()).To);
        Assert.Empty(Directory.GetFiles(spool, "emailrelay.*"));
        Assert.Contains(query.Length > 0 ? query + " from" : "", dns.Log, StringComparison.Ordinal);
        if (query.Length == 0)
        {
            Assert.DoesNotContain("query[", dns.Log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_unknown_domain_fails_the_message_with_the_routing_filter_reason()
    {
        await using var dns = await Dnsmasq.StartAsync(s_zone);
        using var dir = new TestDirectory();
        var spool = Spool(dir);
        await SeedAsync(spool, "nope.test");

        await AsClientAsync(dir.Path, spool, "127.0.0.1:" + Port(FreePort.Get()), "--client-filter=mx:" + dns.Address);

        var bad = await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(spool, "*.envelope.bad")));
        Assert.Contains("X-MailRelay-Reason: routing filter failed: mx lookup failed: mx lookup of [nope.test] failed: no such domain", bad, StringComparison.Ordinal);
        Assert.Contains("query[MX] nope.test", dns.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silent_name_server_fails_the_message_after_the_rt_timeout()
    {
        using var silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var address = "127.0.0.1:" + Port(((IPEndPoint)silent.Client.LocalEndPoint!).Port);
        using var dir = new TestDirectory();
        var spool = Spool(dir);
        await SeedAsync(spool, "mail.test");

        var started = TimeProvider.System.GetTimestamp();
        await AsClientAsync(dir.Path, spool, "127.0.0.1:" + Port(FreePort.Get()), "--client-filter=mx:" + address + ";nst=1;rt=2");
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        var bad = await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(spool, "*.envelope.bad")));
        Assert.Contains("X-MailRelay-Reason: routing filter failed: mx lookup failed: mx lookup of [mail.test] failed: timeout", bad, StringComparison.Ordinal);
        Assert.True(silent.Available > 0, "the query reached the silent server");
        Assert.True(elapsed >= TimeSpan.FromSeconds(2), elapsed.ToString());
    }

    private static string Spool(TestDirectory dir) => Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;

    private static async Task SeedAsync(string spool, string forwardTo, string forwardToAddress = "")
    {
        var fileSpool = new FileSpool(spool, NullLogger.Instance, TimeProvider.System);
        await using var message = await fileSpool.CreateAsync(CancellationToken.None);
        await message.WriteAsync(Encoding.ASCII.GetBytes("Subject: mx\r\n\r\nbody\r\n"), CancellationToken.None);
        await message.PrepareAsync(new Envelope
        {
            From = "a@example.com",
            ToRemote = ["b@mail.test"],
            Body = BodyType.SevenBit,
            ClientAddress = "127.0.0.1",
            ForwardTo = forwardTo,
            ForwardToAddress = forwardToAddress,
        }, CancellationToken.None);
        Assert.True(await message.CommitAsync(CancellationToken.None));
    }

    private static async Task<(int Exit, string Stderr)> AsClientAsync(string dir, string spool, string target, params string[] extra)
    {
        await using var relay = RelayProcess.Start(dir, ["--as-client", target, "--spool-dir", spool, "--user", Environment.UserName, "--no-syslog", "--log", "-v", .. extra]);
        var exit = await relay.WaitForExitAsync(s_deadline);
        return (exit, relay.StderrText);
    }
}
