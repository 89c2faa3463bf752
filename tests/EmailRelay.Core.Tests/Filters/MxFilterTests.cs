using EmailRelay.Core.Tests.Dns;
using EmailRelay.Dns;
using EmailRelay.Filters;
using EmailRelay.Protocol.Dns;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using EmailRelay.Testing;

namespace EmailRelay.Core.Tests.Filters;

public sealed class MxFilterTests
{
    private static byte[]? Zone(DnsMessage m, byte[] q) => (m.QuestionName, m.QuestionType) switch
    {
        ("mail.test", DnsRecordType.MX) => FakeDnsServer.Response(q, DnsResponseCode.NoError, false, (DnsRecordType.MX, FakeDnsServer.Mx(10, "mx.mail.test"))),
        ("mx.mail.test", DnsRecordType.A) => FakeDnsServer.Response(q, DnsResponseCode.NoError, false, (DnsRecordType.A, [192, 0, 2, 1])),
        ("zero.test", DnsRecordType.MX) => FakeDnsServer.Response(q, DnsResponseCode.NoError),
        ("zero.test", DnsRecordType.A) => FakeDnsServer.Response(q, DnsResponseCode.NoError, false, (DnsRecordType.A, [0, 0, 0, 0])),
        _ => FakeDnsServer.Response(q, DnsResponseCode.NameError),
    };

    [Theory]
    [InlineData("example.com", "example.com", null, 25)]
    [InlineData("example.com:2525", "example.com", null, 2525)]
    [InlineData("192.0.2.1", "192.0.2.1", "192.0.2.1", 25)]
    [InlineData("192.0.2.1:26", "192.0.2.1", "192.0.2.1", 26)]
    [InlineData("[192.0.2.1]", "192.0.2.1", "192.0.2.1", 25)]
    [InlineData("[192.0.2.1]:27", "192.0.2.1", "192.0.2.1", 27)]
    [InlineData("[IPv6:2001:db8::1]", "2001:db8::1", "2001:db8::1", 25)]
    [InlineData("[ipv6:2001:db8::1]:28", "2001:db8::1", "2001:db8::1", 28)]
    [InlineData("2001:db8::1", "2001:db8::1", "2001:db8::1", 25)]
    public void ForwardTo_splits_into_host_and_port(string forwardTo, string host, string? literal, int port)
    {
        Assert.True(MxFilter.TrySplit(forwardTo, out var h, out var l, out var p));
        Assert.Equal((host, literal, port), (h, l?.ToString(), p));
    }

    [Theory]
    [InlineData("example.com:")]
    [InlineData("example.com:0")]
    [InlineData("example.com:70000")]
    [InlineData("example.com:smtp")]
    [InlineData("[192.0.2.1")]
    [InlineData("[not-an-ip]")]
    [InlineData("[192.0.2.1]x")]
    [InlineData(":25")]
    public void Bad_ForwardTo_values_are_refused(string forwardTo)
    {
        Assert.False(MxFilter.TrySplit(forwardTo, out _, out _, out _));
    }

    [Theory]
    [InlineData("mail.test", "", "192.0.2.1:25")]
    [InlineData("mail.test:587", "old:1", "192.0.2.1:587")]
    [InlineData("zero.test", "old:1", "")]
    [InlineData("[IPv6:2001:db8::5]:26", "", "[2001:db8::5]:26")]
    public async Task The_result_goes_into_ForwardToAddress_and_the_rest_of_the_envelope_is_kept(string forwardTo, string before, string after)
    {
        using var server = new FakeDnsServer((m, q, _) => Zone(m, q));
        using var dir = new TestDirectory();
        var path = WriteEnvelope(dir, forwardTo, before);

        var result = await Filter(server).RunAsync(FilterContexts.ForFiles("m1", path + ".content", path, serverSide: false), CancellationToken.None);

        Assert.Equal(FilterOutcome.Ok, result.Outcome);
        var envelope = EnvelopeFormat.Read(await File.ReadAllBytesAsync(path)).Envelope!;
        Assert.Equal(after, envelope.ForwardToAddress);
        Assert.Equal(forwardTo, envelope.ForwardTo);
        Assert.Equal(["X-MailRelay-Reason: earlier", "X-MailRelay-ReasonCode: 451"], envelope.Trailer);
        Assert.Equal(["b@mail.test"], envelope.ToRemote);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public async Task A_failed_lookup_is_a_fail_result_and_leaves_the_envelope_alone()
    {
        using var server = new FakeDnsServer((m, q, _) => Zone(m, q));
        using var dir = new TestDirectory();
        var path = WriteEnvelope(dir, "nope.test", "old:1");
        var before = await File.ReadAllBytesAsync(path);

        var result = await Filter(server).RunAsync(FilterContexts.ForFiles("m1", path + ".content", path, serverSide: false), CancellationToken.None);

        Assert.Equal(new FilterResult(FilterOutcome.Fail, false, "mx lookup failed", 0, "mx lookup of [nope.test] failed: no such domain"), result);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task No_ForwardTo_means_no_lookup()
    {
        using var server = new FakeDnsServer((m, q, _) => Zone(m, q));
        using var dir = new TestDirectory();
        var path = WriteEnvelope(dir, "", "");
        var result = await Filter(server).RunAsync(FilterContexts.ForFiles("m1", path + ".content", path, serverSide: false), CancellationToken.None);
        Assert.Equal(FilterResult.Ok, result);
        Assert.Equal(0, server.UdpQueries);
    }

    [Fact]
    public void The_factory_builds_mx_with_its_name_servers()
    {
        var factory = new FilterFactory(TimeProvider.System);
        Assert.True(factory.TryCreate("mx:127.0.0.1:5353;nst=2;rt=9", out var filter, out var error), error);
        Assert.Equal("mx:127.0.0.1:5353;nst=2;rt=9", Assert.IsType<MxFilter>(filter).Name);
    }

    private static MxFilter Filter(FakeDnsServer server)
        => new("mx:", new MxLookup(new DnsResolver([server.EndPoint], TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeProvider.System)));

    private static string WriteEnvelope(TestDirectory dir, string forwardTo, string forwardToAddress)
    {
        var path = Path.Combine(dir.Path, "m1.envelope.busy");
        File.WriteAllBytes(path, EnvelopeFormat.Write(new Envelope
        {
            From = "a@example.com",
            ToRemote = ["b@mail.test"],
            ForwardTo = forwardTo,
            ForwardToAddress = forwardToAddress,
            Trailer = ["X-MailRelay-Reason: earlier", "X-MailRelay-ReasonCode: 451"],
        }));
        return path;
    }
}
