using System.Net;
using System.Net.Sockets;
using System.Text;
using EmailRelay.Diagnostics;
using EmailRelay.Net;
using EmailRelay.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Net;

/// <summary>The PROXY protocol step of the accept path, over real loopback sockets.</summary>
public class ProxyProtocolListenerTests
{
    private sealed record Seen(EndPoint? Remote, EndPoint? Balancer, string FirstLine);

    private sealed class Harness : IAsyncDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private readonly Task _run;

        public Harness(string trusted, bool remoteClients, TimeProvider? time = null)
        {
            var handler = new Handler(this);
            Listener = new Listener(new ListenEndpoint(ListenService.Smtp, new IPEndPoint(IPAddress.Loopback, 0)), "", remoteClients, handler, Logger,
                proxyProtocol: new ProxyProtocolPolicy(ProxyProtocolPolicy.ParseTrusted(trusted), TimeSpan.FromSeconds(20)), time: time);
            Assert.True(Listener.Bind());
            _run = Listener.RunAsync(_cts.Token);
        }

        public RecordingLogger Logger { get; } = new();

        public Listener Listener { get; }

        public TaskCompletionSource<Seen> Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<TcpClient> ConnectAsync()
        {
            var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync((IPEndPoint)Listener.LocalEndPoint!);
            return client;
        }

        public async ValueTask DisposeAsync()
        {
            await _cts.CancelAsync();
            await _run.WaitAsync(Waiting.DefaultTimeout);
            await Listener.DisposeAsync();
            _cts.Dispose();
        }

        private sealed class Handler(Harness harness) : IConnectionHandler
        {
            public async Task HandleAsync(AcceptedConnection connection, CancellationToken cancellationToken)
            {
                await using (connection)
                {
                    using var reader = new StreamReader(connection.Stream, Encoding.ASCII, false, 1, leaveOpen: true);
                    var line = await reader.ReadLineAsync(cancellationToken) ?? "";
                    harness.Seen.TrySetResult(new Seen(connection.RemoteEndPoint, connection.BalancerEndPoint, line));
                }
            }
        }
    }

    private static Task<bool> IsClosedAsync(TcpClient client) => IsClosedAsync(client.GetStream());

    private static async Task<bool> IsClosedAsync(NetworkStream stream)
    {
        var buffer = new byte[16];
        try
        {
            return await stream.ReadAsync(buffer).AsTask().WaitAsync(Waiting.DefaultTimeout) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static byte[] V2Tcp4(string source, int port)
    {
        var s = IPAddress.Parse(source).GetAddressBytes();
        byte[] header = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0, 12, .. s, 127, 0, 0, 1, (byte)(port >> 8), (byte)port, 0, 25];
        return header;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_headers_client_is_the_peer_and_the_bytes_behind_it_reach_the_session(bool v2)
    {
        await using var harness = new Harness("127.0.0.1", remoteClients: true);
        using var client = await harness.ConnectAsync();
        var header = v2 ? V2Tcp4("192.0.2.10", 5000) : "PROXY TCP4 192.0.2.10 127.0.0.1 5000 25\r\n"u8.ToArray();
        // The header and the first command in one write: the reader must take the header's bytes only.
        await client.GetStream().WriteAsync((byte[])[.. header, .. "EHLO client.example\r\n"u8]);
        var seen = await harness.Seen.Task.WaitAsync(Waiting.DefaultTimeout);
        Assert.Equal("192.0.2.10:5000", seen.Remote!.ToString());
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)seen.Balancer!).Address);
        Assert.Equal("EHLO client.example", seen.FirstLine);
        Assert.Contains(harness.Logger.Entries, e => e.Message.StartsWith("smtp connection from 192.0.2.10:5000 via balancer 127.0.0.1:", StringComparison.Ordinal)
            && e.Message.EndsWith("(PROXY protocol v" + (v2 ? 2 : 1) + ")", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_header_sent_a_byte_at_a_time_is_read_whole()
    {
        await using var harness = new Harness("127.0.0.0/8", remoteClients: true);
        using var client = await harness.ConnectAsync();
        foreach (var b in "PROXY TCP6 2001:db8::7 ::1 4321 25\r\nQUIT\r\n"u8.ToArray())
        {
            await client.GetStream().WriteAsync(new[] { b });
        }

        var seen = await harness.Seen.Task.WaitAsync(Waiting.DefaultTimeout);
        Assert.Equal("[2001:db8::7]:4321", seen.Remote!.ToString());
        Assert.Equal("QUIT", seen.FirstLine);
    }

    [Fact]
    public async Task The_access_rule_judges_the_real_client()
    {
        await using var harness = new Harness("127.0.0.1", remoteClients: false);
        using var client = await harness.ConnectAsync();
        await client.GetStream().WriteAsync("PROXY TCP4 192.0.2.10 127.0.0.1 5000 25\r\n"u8.ToArray());
        Assert.True(await IsClosedAsync(client));
        Assert.Contains(harness.Logger.Entries, e => e.Message.StartsWith("configured to reject non-local smtp connection: 192.0.2.10 is not in", StringComparison.Ordinal));
        var entry = harness.Logger.Entries.First(e => e.Message.StartsWith("configured to reject", StringComparison.Ordinal));
        Assert.Equal("192.0.2.10:5000", entry.Scopes.OfType<ConnectionLogScope>().First().Peer!.ToString());

        using var local = await harness.ConnectAsync();
        await local.GetStream().WriteAsync("PROXY TCP4 127.0.0.9 127.0.0.1 5000 25\r\nNOOP\r\n"u8.ToArray());
        Assert.Equal("127.0.0.9:5000", (await harness.Seen.Task.WaitAsync(Waiting.DefaultTimeout)).Remote!.ToString());
    }

    [Fact]
    public async Task A_local_or_unknown_header_keeps_the_balancers_address()
    {
        await using var harness = new Harness("127.0.0.1", remoteClients: true);
        using var client = await harness.ConnectAsync();
        await client.GetStream().WriteAsync("PROXY UNKNOWN\r\nNOOP\r\n"u8.ToArray());
        var seen = await harness.Seen.Task.WaitAsync(Waiting.DefaultTimeout);
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)seen.Remote!).Address);
        Assert.Equal("NOOP", seen.FirstLine);
    }

    [Fact]
    public async Task An_untrusted_peer_is_closed_before_it_sends_anything()
    {
        await using var harness = new Harness("10.0.0.1,192.168.0.0/16", remoteClients: true);
        using var client = await harness.ConnectAsync();
        Assert.True(await IsClosedAsync(client));
        Assert.Contains(harness.Logger.Entries, e => e.Message == "smtp connection refused: 127.0.0.1 is not a trusted PROXY protocol balancer");
        Assert.False(harness.Seen.Task.IsCompleted);
    }

    [Theory]
    [InlineData("EHLO client\r\n", "invalid PROXY protocol header: not a PROXY protocol header")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\n", "invalid PROXY protocol header: v1 header: invalid port")]
    [InlineData("PROXY TCP4", "the balancer closed the connection before a complete PROXY protocol header")]
    public async Task A_bad_header_closes_the_connection_with_a_log_line(string sent, string reason)
    {
        await using var harness = new Harness("127.0.0.1", remoteClients: true);
        using var client = await harness.ConnectAsync();
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(sent));
        if (!sent.EndsWith('\n'))
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        Assert.True(await IsClosedAsync(stream));
        await Waiting.UntilAsync(() => harness.Logger.Entries.Any(e => e.Message.StartsWith("smtp connection from balancer 127.0.0.1 closed: ", StringComparison.Ordinal)), "the log line");
        Assert.Contains(harness.Logger.Entries, e => e.Message == "smtp connection from balancer 127.0.0.1 closed: " + reason);
        Assert.False(harness.Seen.Task.IsCompleted);
    }

    [Fact]
    public async Task A_header_not_complete_within_the_prompt_timeout_closes_the_connection()
    {
        var time = new FakeTimeProvider();
        await using var harness = new Harness("127.0.0.1", remoteClients: true, time);
        using var client = await harness.ConnectAsync();
        await client.GetStream().WriteAsync("PROXY TCP4 192.0.2.1"u8.ToArray());
        var closed = client.GetStream().ReadAsync(new byte[1]).AsTask();
        await Waiting.UntilAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(5));
            return closed.IsCompleted;
        }, "the connection closes");
        await Waiting.UntilAsync(() => harness.Logger.Entries.Any(e => e.Message == "smtp connection from balancer 127.0.0.1 closed: no complete PROXY protocol header within 20s"), "the timeout log line");
    }

    [Theory]
    [InlineData("10.0.0.5", "10.0.0.5", true)]
    [InlineData("10.0.0.5", "10.0.0.6", false)]
    [InlineData("10.0.0.0/24", "10.0.0.200", true)]
    [InlineData("10.0.0.0/24", "10.0.1.1", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)]
    [InlineData("2001:db8::/32", "2001:db8:1::1", true)]
    public void Trusted_addresses_and_networks(string trusted, string peer, bool expected)
    {
        var policy = new ProxyProtocolPolicy(ProxyProtocolPolicy.ParseTrusted(trusted), TimeSpan.FromSeconds(1));
        Assert.Equal(expected, policy.IsTrusted(new IPEndPoint(IPAddress.Parse(peer), 1)));
    }

    [Theory]
    [InlineData("", "the PROXY protocol needs at least one trusted balancer address")]
    [InlineData("10.0.0.1,bogus", "invalid PROXY protocol trusted address: [bogus]")]
    [InlineData("10.0.0.1/33", "invalid PROXY protocol trusted address: [10.0.0.1/33]")]
    public void Bad_trusted_lists_are_errors(string list, string error)
    {
        Assert.Equal(error, Assert.Throws<FormatException>(() => ProxyProtocolPolicy.ParseTrusted(list)).Message);
    }
}
