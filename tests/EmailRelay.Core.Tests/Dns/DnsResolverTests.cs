using System.Net;
using EmailRelay.Dns;
using EmailRelay.Protocol.Dns;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Dns;

public sealed class DnsResolverTests
{
    private static readonly byte[] s_loopback = [127, 0, 0, 1];

    private static DnsResolver Resolver(TimeProvider? time = null, params IPEndPoint[] servers)
        => new(servers, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), time ?? TimeProvider.System);

    [Fact]
    public async Task An_answer_over_udp_is_returned_as_a_value()
    {
        using var server = new FakeDnsServer((_, q, _) => FakeDnsServer.Response(q, DnsResponseCode.NoError, false, (DnsRecordType.A, s_loopback)));
        var result = await Resolver(null, server.EndPoint).QueryAsync("host.test", DnsRecordType.A, CancellationToken.None);
        Assert.Equal(DnsStatus.Answer, result.Status);
        Assert.Equal(IPAddress.Loopback, Assert.Single(result.Addresses(DnsRecordType.A)));
        Assert.Equal((1, 0), (server.UdpQueries, server.TcpQueries));
    }

    [Fact]
    public async Task A_truncated_udp_answer_is_asked_again_over_tcp()
    {
        using var server = new FakeDnsServer((_, q, tcp) => tcp
            ? FakeDnsServer.Response(q, DnsResponseCode.NoError, false, (DnsRecordType.A, s_loopback), (DnsRecordType.A, [127, 0, 0, 2]))
            : FakeDnsServer.Response(q, DnsResponseCode.NoError, truncated: true));
        var result = await Resolver(null, server.EndPoint).QueryAsync("host.test", DnsRecordType.A, CancellationToken.None);
        Assert.Equal(DnsStatus.Answer, result.Status);
        Assert.Equal(2, result.Addresses(DnsRecordType.A).Count());
        Assert.Equal((1, 1), (server.UdpQueries, server.TcpQueries));
    }

    [Fact]
    public async Task Nxdomain_is_a_name_error()
    {
        using var server = new FakeDnsServer((_, q, _) => FakeDnsServer.Response(q, DnsResponseCode.NameError));
        var result = await Resolver(null, server.EndPoint).QueryAsync("nope.test", DnsRecordType.MX, CancellationToken.None);
        Assert.Equal(DnsStatus.NameError, result.Status);
        Assert.Equal("no such domain", result.Error);
    }

    [Fact]
    public async Task A_server_failure_moves_on_to_the_next_server()
    {
        using var failing = new FakeDnsServer((_, q, _) => FakeDnsServer.Response(q, DnsResponseCode.ServerFailure));
        using var good = new FakeDnsServer((_, q, _) => FakeDnsServer.Response(q, DnsResponseCode.NoError, false, (DnsRecordType.A, s_loopback)));
        var result = await Resolver(null, failing.EndPoint, good.EndPoint).QueryAsync("host.test", DnsRecordType.A, CancellationToken.None);
        Assert.Equal(DnsStatus.Answer, result.Status);
        Assert.Equal(1, failing.UdpQueries);
    }

    [Fact]
    public async Task When_every_server_fails_the_last_error_is_reported()
    {
        using var refusing = new FakeDnsServer((_, q, _) => FakeDnsServer.Response(q, DnsResponseCode.Refused));
        var result = await Resolver(null, refusing.EndPoint).QueryAsync("host.test", DnsRecordType.A, CancellationToken.None);
        Assert.Equal(DnsStatus.ServerFailure, result.Status);
        Assert.Equal("server error refused from " + refusing.EndPoint, result.Error);
    }

    [Fact]
    public async Task Responses_with_the_wrong_id_or_question_are_ignored()
    {
        using var server = new FakeDnsServer((m, q, _) =>
        {
            var wrongId = FakeDnsServer.Response(q, DnsResponseCode.NoError, false, (DnsRecordType.A, [10, 0, 0, 1]));
            wrongId[0] ^= 0xFF;
            return wrongId;
        });
        var time = new FakeTimeProvider();
        var query = Resolver(time, server.EndPoint).QueryAsync("host.test", DnsRecordType.A, CancellationToken.None);
        await EmailRelay.Testing.Tools.Poll.UntilAsync(() => server.UdpQueries == 1, TimeSpan.FromSeconds(20), "the query");
        Assert.False(query.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(10));
        var result = await query.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(DnsStatus.Timeout, result.Status);
    }

    [Fact]
    public async Task A_silent_server_is_asked_again_each_attempt_until_the_total_timeout()
    {
        using var server = new FakeDnsServer((_, _, _) => null);
        var time = new FakeTimeProvider();
        var query = Resolver(time, server.EndPoint).QueryAsync("host.test", DnsRecordType.A, CancellationToken.None);
        await EmailRelay.Testing.Tools.Poll.UntilAsync(() => server.UdpQueries == 1, TimeSpan.FromSeconds(20), "the first query");
        time.Advance(TimeSpan.FromSeconds(5));
        await EmailRelay.Testing.Tools.Poll.UntilAsync(() => server.UdpQueries == 2, TimeSpan.FromSeconds(20), "the retry");
        Assert.False(query.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));
        var result = await query.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(DnsStatus.Timeout, result.Status);
        Assert.Equal("timeout", result.Error);
    }

    [Fact]
    public async Task A_name_that_cannot_be_queried_fails_without_sending()
    {
        using var server = new FakeDnsServer((_, _, _) => null);
        var result = await Resolver(null, server.EndPoint).QueryAsync("bad name", DnsRecordType.A, CancellationToken.None);
        Assert.Equal(DnsStatus.ServerFailure, result.Status);
        Assert.Equal(0, server.UdpQueries);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_throws()
    {
        using var server = new FakeDnsServer((_, _, _) => null);
        using var cts = new CancellationTokenSource();
        var query = Resolver(null, server.EndPoint).QueryAsync("host.test", DnsRecordType.A, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => query);
    }

    [Theory]
    [InlineData("nameserver 10.0.0.53\n# comment\nsearch x\nnameserver\t::1\nnameserver bogus\n", "10.0.0.53:53,[::1]:53")]
    [InlineData("", "127.0.0.1:53")]
    public void Resolv_conf_name_servers_are_read_in_order(string text, string expected)
    {
        Assert.Equal(expected, string.Join(',', DnsServers.Parse(text.Split('\n'))));
    }
}
