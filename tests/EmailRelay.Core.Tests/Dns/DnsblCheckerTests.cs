using System.Net;
using System.Net.Sockets;
using EmailRelay.Dns;
using EmailRelay.Net;
using EmailRelay.Protocol.Dns;
using EmailRelay.Testing;

namespace EmailRelay.Core.Tests.Dns;

public sealed class DnsblCheckerTests
{
    private static readonly IPAddress s_peer = IPAddress.Parse("192.0.2.7");

    private static byte[]? Zone(DnsMessage m, byte[] q) => m.QuestionName switch
    {
        "7.2.0.192.bl.test" or "7.2.0.192.other.test" => FakeDnsServer.Response(q, DnsResponseCode.NoError, false, (DnsRecordType.A, [127, 0, 0, 2])),
        "7.2.0.192.silent.test" => null,
        _ => FakeDnsServer.Response(q, DnsResponseCode.NameError),
    };

    private static DnsblChecker Checker(FakeDnsServer server, string servers)
    {
        Assert.True(DnsblConfig.TryParse(servers + "," + server.EndPoint, out var config, out var error), error);
        return new DnsblChecker(config!, TimeProvider.System);
    }

    [Theory]
    [InlineData("bl.test,1,2000", "bl.test", "", true)]
    [InlineData("clean.test,1,2000", "", "", false)]
    [InlineData("bl.test,0,2000", "bl.test", "", false)]
    [InlineData("bl.test,clean.test,2,2000", "bl.test", "", false)]
    [InlineData("bl.test,clean.test,other.test,2,2000", "bl.test other.test", "", true)]
    [InlineData("silent.test,1,300", "", "silent.test", false)]
    [InlineData("silent.test,1,-300", "", "silent.test", true)]
    [InlineData("silent.test,0,-300", "", "silent.test", false)]
    public async Task The_threshold_and_timeout_decide_the_drop(string servers, string listedBy, string unanswered, bool drop)
    {
        using var server = new FakeDnsServer((m, q, _) => Zone(m, q));
        var result = await Checker(server, servers).CheckAsync(s_peer, CancellationToken.None);
        Assert.Equal(listedBy, string.Join(' ', result.ListedBy));
        Assert.Equal(unanswered, string.Join(' ', result.NotAnswered));
        Assert.Equal(drop, result.Drop);
    }

    [Fact]
    public async Task The_handler_never_checks_a_loopback_peer_and_passes_it_on()
    {
        using var server = new FakeDnsServer((m, q, _) => Zone(m, q));
        var inner = new RecordingHandler();
        var logger = new RecordingLogger();
        var handler = new DnsblConnectionHandler(inner, Checker(server, "bl.test"), () => true, logger);
        await RunOneConnectionAsync(handler);
        Assert.Equal(1, inner.Count);
        Assert.Equal(0, server.UdpQueries);
        Assert.Contains(logger.Entries, e => e.Message == "dnsbl: address [127.0.0.1] not checked: local address");
    }

    private static async Task RunOneConnectionAsync(DnsblConnectionHandler handler)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        var accepted = await listener.AcceptAsync();
        await handler.HandleAsync(new AcceptedConnection(accepted, 1), CancellationToken.None);
    }

    private sealed class RecordingHandler : IConnectionHandler
    {
        public int Count { get; private set; }

        public async Task HandleAsync(AcceptedConnection connection, CancellationToken cancellationToken)
        {
            Count++;
            await connection.DisposeAsync();
        }
    }
}
