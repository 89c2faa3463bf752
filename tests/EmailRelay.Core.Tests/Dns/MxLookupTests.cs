using EmailRelay.Dns;
using EmailRelay.Protocol.Dns;

namespace EmailRelay.Core.Tests.Dns;

public sealed class MxLookupTests
{
    private static MxLookup Lookup(FakeDnsServer server)
        => new(new DnsResolver([server.EndPoint], TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeProvider.System));

    private static byte[]? Zone(DnsMessage m, byte[] q) => (m.QuestionName, m.QuestionType) switch
    {
        ("mail.test", DnsRecordType.MX) => FakeDnsServer.Response(q, DnsResponseCode.NoError, false,
            (DnsRecordType.MX, FakeDnsServer.Mx(20, "second.mail.test")), (DnsRecordType.MX, FakeDnsServer.Mx(10, "first.mail.test"))),
        ("first.mail.test", DnsRecordType.A) => FakeDnsServer.Response(q, DnsResponseCode.NoError),
        ("first.mail.test", DnsRecordType.Aaaa) => FakeDnsServer.Response(q, DnsResponseCode.NoError),
        ("second.mail.test", DnsRecordType.A) => FakeDnsServer.Response(q, DnsResponseCode.NoError, false, (DnsRecordType.A, [192, 0, 2, 20])),
        ("plain.test", DnsRecordType.MX) => FakeDnsServer.Response(q, DnsResponseCode.NoError),
        ("plain.test", DnsRecordType.A) => FakeDnsServer.Response(q, DnsResponseCode.NoError, false, (DnsRecordType.A, [192, 0, 2, 30])),
        ("nomail.test", DnsRecordType.MX) => FakeDnsServer.Response(q, DnsResponseCode.NoError, false, (DnsRecordType.MX, FakeDnsServer.NullMx())),
        _ => FakeDnsServer.Response(q, DnsResponseCode.NameError),
    };

    [Theory]
    [InlineData("mail.test", "192.0.2.20", "second.mail.test", "")]
    [InlineData("plain.test", "192.0.2.30", "plain.test", "")]
    [InlineData("nomail.test", null, "", "domain [nomail.test] does not accept mail (null mx)")]
    [InlineData("nope.test", null, "", "mx lookup of [nope.test] failed: no such domain")]
    public async Task Exchanges_are_tried_in_preference_order_and_the_domain_itself_without_mx(string domain, string? address, string host, string error)
    {
        using var server = new FakeDnsServer((m, q, _) => Zone(m, q));
        var result = await Lookup(server).LookupAsync(domain, CancellationToken.None);
        Assert.Equal(address, result.Address?.ToString());
        Assert.Equal(host, result.Host);
        Assert.Equal(error, result.Error);
    }
}
