using EmailRelay.Protocol.Dns;

namespace EmailRelay.Protocol.Tests.Dns;

public class DnsQueryTests
{
    [Theory]
    [InlineData("example.test", DnsRecordType.MX, "abcd01000001000000000000076578616d706c65047465737400000f0001")]
    [InlineData("example.test.", DnsRecordType.MX, "abcd01000001000000000000076578616d706c65047465737400000f0001")]
    [InlineData("a.b", DnsRecordType.Aaaa, "abcd0100000100000000000001610162" + "00001c0001")]
    [InlineData("2.0.0.127.bl.test", DnsRecordType.A, "abcd010000010000000000000132013001300331323702626c04746573740000010001")]
    public void A_query_has_one_question_with_recursion_desired(string name, DnsRecordType type, string hex)
    {
        Assert.True(DnsQuery.TryBuild(0xabcd, name, type, out var packet, out var error), error);
        Assert.Equal(hex, Convert.ToHexString(packet).ToLowerInvariant());
    }

    [Fact]
    public void A_query_parses_back_to_its_question()
    {
        Assert.True(DnsQuery.TryBuild(7, "Mail.Example.Test", DnsRecordType.A, out var packet, out _));
        Assert.True(DnsMessageParser.TryParse(packet, out var message, out var error), error);
        Assert.False(message!.IsResponse);
        Assert.Equal("mail.example.test", message.QuestionName);
        Assert.Equal(DnsRecordType.A, message.QuestionType);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("a..b")]
    [InlineData(".a")]
    [InlineData("a b")]
    [InlineData("a\\b")]
    [InlineData("caf\u00e9.test")]
    [InlineData("a\nb")]
    public void Bad_names_are_refused(string name)
    {
        Assert.False(DnsQuery.TryBuild(1, name, DnsRecordType.A, out var packet, out var error));
        Assert.Empty(packet);
        Assert.NotEqual("", error);
    }

    [Fact]
    public void Label_and_name_length_limits_are_exact()
    {
        var label63 = new string('a', 63);
        Assert.True(DnsQuery.TryBuild(1, label63 + ".test", DnsRecordType.A, out _, out _));
        Assert.False(DnsQuery.TryBuild(1, label63 + "a.test", DnsRecordType.A, out _, out _));

        // 4 labels of 63 plus length octets and the root: 4 * 64 + 1 = 257 > 255; 3 of 63 plus one of 61 = 255.
        var name255 = string.Join('.', label63, label63, label63, new string('b', 61));
        Assert.True(DnsQuery.TryBuild(1, name255, DnsRecordType.A, out var packet, out _));
        Assert.Equal(12 + 255 + 4, packet.Length);
        Assert.False(DnsQuery.TryBuild(1, name255 + "b", DnsRecordType.A, out _, out _));
    }
}
