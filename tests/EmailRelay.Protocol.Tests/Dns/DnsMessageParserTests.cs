using System.Net;
using EmailRelay.Protocol.Dns;

namespace EmailRelay.Protocol.Tests.Dns;

public class DnsMessageParserTests
{
    // Real answers from dnsmasq 2.90 (captured with --mx-host, --host-record, --address, --txt-record, --local).
    private const string MxResponse =
        "123485800001000200000003076578616d706c65047465737400000f0001c00c000f00010000000000140014036d7832076578616d706c65047465737400"
        + "c00c000f0001000000000014000a036d7831076578616d706c65047465737400c02c00010001000000000004c0000202c04c00010001000000000004c0000201"
        + "c04c001c000100000000001020010db8000000000000000000000001";

    private const string AaaaResponse = "123485800001000100000000036d7831076578616d706c65047465737400001c0001c00c001c000100000000001020010db8000000000000000000000001";
    private const string NxDomainResponse = "123481830001000000000000046e6f706504746573740000010001";
    private const string ListedResponse = "1234858000010001000000000132013001300331323702626c04746573740000010001c00c000100010000000000047f000002";
    private const string TxtResponse = "1234858000010001000000000132013001300331323702626c04746573740000100001c00c00100001000000000013126c697374656420666f722074657374696e67";
    private const string RefusedResponse = "123481850001000000000000056f74686572036f72670000010001";

    [Fact]
    public void A_real_mx_response_with_compression_and_additional_addresses_is_parsed()
    {
        Assert.True(DnsMessageParser.TryParse(Convert.FromHexString(MxResponse), out var message, out var error), error);
        Assert.Equal(0x1234, message!.Id);
        Assert.True(message.IsResponse);
        Assert.False(message.IsTruncated);
        Assert.Equal(DnsResponseCode.NoError, message.ResponseCode);
        Assert.Equal("example.test", message.QuestionName);
        Assert.Equal(DnsRecordType.MX, message.QuestionType);
        Assert.Equal(
            [("example.test", (ushort)20, "mx2.example.test"), ("example.test", (ushort)10, "mx1.example.test")],
            message.Answers.Select(a => (a.Name, a.Preference, a.Target)).ToArray());
        Assert.Equal(
            [("mx2.example.test", "192.0.2.2"), ("mx1.example.test", "192.0.2.1"), ("mx1.example.test", "2001:db8::1")],
            message.Additional.Select(a => (a.Name, a.Address!.ToString())).ToArray());
    }

    [Theory]
    [InlineData(AaaaResponse, DnsResponseCode.NoError, "mx1.example.test", DnsRecordType.Aaaa, "2001:db8::1")]
    [InlineData(ListedResponse, DnsResponseCode.NoError, "2.0.0.127.bl.test", DnsRecordType.A, "127.0.0.2")]
    [InlineData(NxDomainResponse, DnsResponseCode.NameError, "nope.test", DnsRecordType.A, null)]
    [InlineData(RefusedResponse, DnsResponseCode.Refused, "other.org", DnsRecordType.A, null)]
    public void Real_responses_give_their_code_question_and_address(string hex, DnsResponseCode code, string name, DnsRecordType type, string? address)
    {
        Assert.True(DnsMessageParser.TryParse(Convert.FromHexString(hex), out var message, out var error), error);
        Assert.Equal(code, message!.ResponseCode);
        Assert.Equal(name, message.QuestionName);
        Assert.Equal(type, message.QuestionType);
        Assert.Equal(address, message.Answers.SingleOrDefault()?.Address?.ToString());
    }

    [Fact]
    public void A_txt_record_is_read_as_text()
    {
        Assert.True(DnsMessageParser.TryParse(Convert.FromHexString(TxtResponse), out var message, out _));
        Assert.Equal("listed for testing", Assert.Single(message!.Answers).Text);
    }

    public static TheoryData<string, int> Prefixes()
    {
        var data = new TheoryData<string, int>();
        foreach (var hex in new[] { MxResponse, AaaaResponse, NxDomainResponse, ListedResponse, TxtResponse })
        {
            for (var length = 0; length < hex.Length / 2; length++)
            {
                data.Add(hex, length);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Prefixes))]
    public void Every_truncation_of_a_real_response_is_an_error_not_an_exception(string hex, int length)
    {
        var packet = Convert.FromHexString(hex)[..length];
        Assert.False(DnsMessageParser.TryParse(packet, out var message, out var error));
        Assert.Null(message);
        Assert.NotEqual("", error);
    }

    [Fact]
    public void A_response_with_the_tc_bit_keeps_the_complete_records_and_says_truncated()
    {
        var packet = Convert.FromHexString(MxResponse);
        packet[2] |= 0x02; // TC
        var cut = packet[..(packet.Length - 30)];
        Assert.True(DnsMessageParser.TryParse(cut, out var message, out var error), error);
        Assert.True(message!.IsTruncated);
        Assert.Equal(2, message.Answers.Count);
    }

    [Theory]
    [InlineData("pointer to itself", "000081800001000000000000c00c")]
    [InlineData("pointer forwards", "000081800001000000000000c00e0000010001")]
    [InlineData("two pointers in a loop", "000081800001000000000000c00e0000c00c")]
    [InlineData("pointer past the end", "000081800001000000000000ffff")]
    [InlineData("half a pointer", "000081800001000000000000c0")]
    [InlineData("extended label type", "000081800001000000000000400000010001")]
    [InlineData("label past the end", "00008180000100000000000005616263")]
    [InlineData("question without type", "00008180000100000000000000")]
    [InlineData("answer count too high", "0000818000000001000000000000010001000000000004")]
    [InlineData("address of wrong length", "00008180000000010000000000000100010000000000050102030405")]
    [InlineData("rdata past the end", "000081800000000100000000000001000100000000ffff01020304")]
    [InlineData("mx target past rdata", "000081800000000100000000" + "00000f00010000000000030001" + "03616263" + "00")]
    [InlineData("mx rdata too short", "000081800000000100000000" + "00000f0001000000000002" + "0001")]
    [InlineData("txt string past rdata", "0000818000000001000000000000100001000000000002056162")]
    [InlineData("cname with trailing bytes", "000081800000000100000000000005000100000000000300" + "0000")]
    public void Hostile_packets_are_rejected(string what, string hex)
    {
        Assert.False(DnsMessageParser.TryParse(Convert.FromHexString(hex), out _, out var error), what);
        Assert.NotEqual("", error);
    }

    [Fact]
    public void A_chain_of_many_backward_pointers_is_bounded()
    {
        // 100 pointers, each pointing to the previous one: strictly backwards, but over the pointer cap.
        var packet = new List<byte> { 0, 0, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0 };
        for (var i = 0; i < 100; i++)
        {
            var target = packet.Count - (i == 0 ? 1 : 2);
            packet.Add((byte)(0xC0 | (target >> 8)));
            packet.Add((byte)target);
        }

        var offset = packet.Count - 2;
        Assert.False(DnsMessageParser.TryReadName(packet.ToArray(), ref offset, out _, out var error));
        Assert.Equal("bad dns name pointer", error);

        // The same chain cut to 60 pointers is within the cap and reads as the root name.
        var shorter = packet.Take(13 + 120).ToArray();
        offset = shorter.Length - 2;
        Assert.True(DnsMessageParser.TryReadName(shorter, ref offset, out var name, out error), error);
        Assert.Equal("", name);
        Assert.Equal(shorter.Length, offset);
    }

    [Fact]
    public void A_name_over_255_octets_is_rejected()
    {
        var packet = new List<byte> { 0, 0, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0 };
        for (var i = 0; i < 5; i++)
        {
            packet.Add(63);
            packet.AddRange(Enumerable.Repeat((byte)'a', 63));
        }

        packet.AddRange([0, 0, 1, 0, 1]);
        Assert.False(DnsMessageParser.TryParse(packet.ToArray(), out _, out var error));
        Assert.Equal("dns name too long", error);
    }

    [Fact]
    public void Odd_octets_in_labels_are_escaped_and_upper_case_is_lowered()
    {
        // Question "A.b\0c" with a literal dot and a NUL inside the second label.
        var packet = Convert.FromHexString("00008180000100000000000001410362" + "2e00" + "0000010001");
        Assert.True(DnsMessageParser.TryParse(packet, out var message, out var error), error);
        Assert.Equal("a.b\\046\\000", message!.QuestionName);
    }

    [Fact]
    public void Unknown_record_types_are_skipped_by_their_length()
    {
        var packet = Convert.FromHexString("0000818000000002000000000000630001000000000003010203" + "00000100010000000000040a000001");
        Assert.True(DnsMessageParser.TryParse(packet, out var message, out var error), error);
        Assert.Equal([(DnsRecordType)99, DnsRecordType.A], message!.Answers.Select(a => a.Type).ToArray());
        Assert.Equal(IPAddress.Parse("10.0.0.1"), message.Answers[1].Address);
    }
}
