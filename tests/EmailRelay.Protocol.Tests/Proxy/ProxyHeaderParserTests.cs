using System.Buffers.Binary;
using System.Net;
using System.Numerics;
using System.Text;
using EmailRelay.Protocol.Proxy;

namespace EmailRelay.Protocol.Tests.Proxy;

public class ProxyHeaderParserTests
{
    private static readonly byte[] s_after = "EHLO client\r\n"u8.ToArray();

    /// <summary>
    /// Feeds <paramref name="header"/> followed by client data in two pieces split at every point, as a reader would
    /// see it: each prefix shorter than the header is NeedMore (or, for a bad header, Invalid from the first bad byte
    /// on), and from the header's end on the result is the same complete header of the same length.
    /// </summary>
    private static ProxyParseResult ParseAtEverySplit(byte[] header)
    {
        var all = header.Concat(s_after).ToArray();
        ProxyParseResult? whole = null;
        for (var split = 0; split <= all.Length; split++)
        {
            var result = ProxyHeaderParser.Parse(all.AsSpan(0, split));
            if (result.Status == ProxyParseStatus.Invalid)
            {
                // Once invalid, every longer prefix is invalid too, with the same reason.
                for (var more = split; more <= all.Length; more++)
                {
                    Assert.Equal(result.Error, ProxyHeaderParser.Parse(all.AsSpan(0, more)).Error);
                }

                return result;
            }

            if (split < header.Length)
            {
                Assert.Equal(ProxyParseStatus.NeedMore, result.Status);
            }
            else
            {
                Assert.Equal(ProxyParseStatus.Complete, result.Status);
                Assert.Equal(header.Length, result.Consumed);
                whole ??= result;
                Assert.Equal(whole.Value.Header!.Source, result.Header!.Source);
            }
        }

        return whole!.Value;
    }

    [Theory]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 56324 25\r\n", "192.0.2.10:56324", "198.51.100.1:25")]
    [InlineData("PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n", "0.0.0.0:0", "255.255.255.255:65535")]
    [InlineData("PROXY TCP6 2001:db8::1 2001:db8::2 4000 587\r\n", "[2001:db8::1]:4000", "[2001:db8::2]:587")]
    [InlineData("PROXY TCP6 ::ffff:192.0.2.1 ::1 1 2\r\n", "[::ffff:192.0.2.1]:1", "[::1]:2")]
    [InlineData("PROXY UNKNOWN\r\n", null, null)]
    [InlineData("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n", null, null)]
    public void V1_headers_parse_at_every_split_point(string header, string? source, string? destination)
    {
        var result = ParseAtEverySplit(Encoding.ASCII.GetBytes(header));
        Assert.Equal(ProxyParseStatus.Complete, result.Status);
        Assert.Equal(1, result.Header!.Version);
        Assert.Equal(source, result.Header.Source?.ToString());
        Assert.Equal(destination, result.Header.Destination?.ToString());
    }

    [Fact]
    public void The_longest_v1_header_is_accepted_and_one_byte_more_is_not()
    {
        var longest = "PROXY UNKNOWN " + new string('x', ProxyHeaderParser.MaxV1Length - 16) + "\r\n";
        Assert.Equal(ProxyHeaderParser.MaxV1Length, longest.Length);
        Assert.Equal(ProxyParseStatus.Complete, ParseAtEverySplit(Encoding.ASCII.GetBytes(longest)).Status);
        var tooLong = "PROXY UNKNOWN " + new string('x', ProxyHeaderParser.MaxV1Length - 15) + "\r\n";
        var result = ParseAtEverySplit(Encoding.ASCII.GetBytes(tooLong));
        Assert.Equal(ProxyParseStatus.Invalid, result.Status);
        Assert.Equal("v1 header: no CRLF within 107 bytes", result.Error);
    }

    [Theory]
    [InlineData("EHLO client\r\n", "not a PROXY protocol header")]
    [InlineData("PROXX TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "not a PROXY protocol header")]
    [InlineData("proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "not a PROXY protocol header")]
    [InlineData("\x16\x03\x01\x02\x00", "not a PROXY protocol header")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "v1 header: a bare LF")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1\r2\r\n", "v1 header: invalid character")]
    [InlineData("PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n", "v1 header: invalid character")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", "v1 header: expected \"PROXY TCP4|TCP6 <source> <destination> <source-port> <destination-port>\" or \"PROXY UNKNOWN\"")]
    [InlineData("PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n", "v1 header: expected \"PROXY TCP4|TCP6 <source> <destination> <source-port> <destination-port>\" or \"PROXY UNKNOWN\"")]
    [InlineData("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", "v1 header: expected \"PROXY TCP4|TCP6 <source> <destination> <source-port> <destination-port>\" or \"PROXY UNKNOWN\"")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "v1 header: expected \"PROXY TCP4|TCP6 <source> <destination> <source-port> <destination-port>\" or \"PROXY UNKNOWN\"")]
    [InlineData("PROXY\r\n", "not a PROXY protocol header")]
    [InlineData("PROXY TCP4 2001:db8::1 5.6.7.8 1 2\r\n", "v1 header: invalid IPv4 address")]
    [InlineData("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", "v1 header: invalid IPv4 address")]
    [InlineData("PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n", "v1 header: invalid IPv4 address")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8.9 1 2\r\n", "v1 header: invalid IPv4 address")]
    [InlineData("PROXY TCP6 1.2.3.4 ::1 1 2\r\n", "v1 header: invalid IPv6 address")]
    [InlineData("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", "v1 header: invalid IPv6 address")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", "v1 header: invalid port")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", "v1 header: invalid port")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n", "v1 header: invalid port")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 025000\r\n", "v1 header: invalid port")]
    public void Malformed_v1_headers_are_invalid_from_the_first_bad_byte(string header, string error)
    {
        var result = ParseAtEverySplit(Encoding.Latin1.GetBytes(header));
        Assert.Equal(ProxyParseStatus.Invalid, result.Status);
        Assert.Equal(error, result.Error);
    }

    [Fact]
    public void A_v1_prefix_with_a_non_printable_byte_is_invalid_at_once()
    {
        Assert.Equal(ProxyParseStatus.Invalid, ProxyHeaderParser.Parse("PROXY TCP4 \0"u8).Status);
        Assert.Equal(ProxyParseStatus.NeedMore, ProxyHeaderParser.Parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r"u8).Status);
    }

    /// <summary>A v2 header: command (0 LOCAL, 1 PROXY), family/protocol byte, address block and TLVs.</summary>
    internal static byte[] V2(int command, byte familyProtocol, byte[] addresses, params (byte Type, byte[] Value)[] tlvs)
    {
        var body = new List<byte>(addresses);
        foreach (var (type, value) in tlvs)
        {
            body.Add(type);
            body.Add((byte)(value.Length >> 8));
            body.Add((byte)value.Length);
            body.AddRange(value);
        }

        var header = new List<byte>(ProxyHeaderParser.V2Signature.ToArray()) { (byte)(0x20 | command), familyProtocol, (byte)(body.Count >> 8), (byte)body.Count };
        header.AddRange(body);
        return [.. header];
    }

    internal static byte[] Inet(string source, int sourcePort, string destination, int destinationPort)
    {
        var s = IPAddress.Parse(source).GetAddressBytes();
        var d = IPAddress.Parse(destination).GetAddressBytes();
        return [.. s, .. d, (byte)(sourcePort >> 8), (byte)sourcePort, (byte)(destinationPort >> 8), (byte)destinationPort];
    }

    /// <summary>Sets the CRC-32C TLV's value (the last 4 bytes of <paramref name="header"/>) as the specification says.</summary>
    internal static byte[] WithCrc(byte[] header)
    {
        var crc = uint.MaxValue;
        foreach (var b in header)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(header.Length - 4), ~crc);
        return header;
    }

    [Fact]
    public void A_v2_tcp4_header_parses_at_every_split_point()
    {
        var result = ParseAtEverySplit(V2(1, 0x11, Inet("192.0.2.10", 56324, "198.51.100.1", 25)));
        Assert.Equal(2, result.Header!.Version);
        Assert.False(result.Header.IsLocal);
        Assert.Equal("192.0.2.10:56324", result.Header.Source!.ToString());
        Assert.Equal("198.51.100.1:25", result.Header.Destination!.ToString());
        Assert.Empty(result.Header.Tlvs);
    }

    [Fact]
    public void A_v2_tcp6_header_parses_at_every_split_point()
    {
        var result = ParseAtEverySplit(V2(1, 0x21, Inet("2001:db8::10", 1234, "2001:db8::1", 465)));
        Assert.Equal("[2001:db8::10]:1234", result.Header!.Source!.ToString());
        Assert.Equal("[2001:db8::1]:465", result.Header.Destination!.ToString());
    }

    [Theory]
    [InlineData(0, 0x11)]
    [InlineData(0, 0x00)]
    [InlineData(1, 0x00)]
    [InlineData(1, 0x12)]
    [InlineData(1, 0x31)]
    public void V2_local_unspec_udp_and_unix_headers_carry_no_client_address(int command, byte familyProtocol)
    {
        var addresses = (familyProtocol >> 4) switch { 1 => Inet("192.0.2.10", 1, "192.0.2.1", 25), 3 => new byte[216], _ => [] };
        var result = ParseAtEverySplit(V2(command, familyProtocol, addresses));
        Assert.Equal(ProxyParseStatus.Complete, result.Status);
        Assert.Equal(command == 0, result.Header!.IsLocal);
        Assert.Null(result.Header.Source);
    }

    [Fact]
    public void V2_tlvs_are_kept_in_order_and_the_tls_tlv_is_decoded()
    {
        byte[] ssl = [0x07, 0, 0, 0, 0, .. Tlv(0x21, "TLSv1.3"), .. Tlv(0x23, "TLS_AES_256_GCM_SHA384"), .. Tlv(0x22, "client.example"), .. Tlv(0x24, "RSA-SHA256")];
        var header = V2(1, 0x11, Inet("192.0.2.10", 5000, "192.0.2.1", 25),
            (0x01, "smtp"u8.ToArray()), (0x02, "mx.example"u8.ToArray()), (0x05, [1, 2, 3]), (0x20, ssl), (0x04, new byte[7]), (0xE0, [9]), (0x03, new byte[4]));
        var result = ParseAtEverySplit(WithCrc(header));
        var parsed = result.Header!;
        Assert.Equal([ProxyTlvType.Alpn, ProxyTlvType.Authority, ProxyTlvType.UniqueId, ProxyTlvType.Ssl, ProxyTlvType.Noop, (ProxyTlvType)0xE0, ProxyTlvType.Crc32C], parsed.Tlvs.Select(t => t.Type));
        Assert.Equal("mx.example", Encoding.ASCII.GetString(parsed.Find(ProxyTlvType.Authority)!.Value.Span));
        Assert.NotNull(parsed.Tls);
        Assert.True(parsed.Tls.UsedTls);
        Assert.True(parsed.Tls.HasVerifiedCertificate);
        Assert.Equal("TLSv1.3", parsed.Tls.Version);
        Assert.Equal("TLS_AES_256_GCM_SHA384", parsed.Tls.Cipher);
        Assert.Equal("client.example", parsed.Tls.CommonName);
    }

    [Fact]
    public void A_tls_tlv_without_a_client_certificate()
    {
        byte[] ssl = [0x01, 0, 0, 0, 1, .. Tlv(0x21, "TLSv1.2")];
        var tls = ParseAtEverySplit(V2(1, 0x11, Inet("192.0.2.10", 5000, "192.0.2.1", 25), (0x20, ssl))).Header!.Tls!;
        Assert.True(tls.UsedTls);
        Assert.False(tls.HasVerifiedCertificate);
        Assert.Equal("TLSv1.2", tls.Version);
        Assert.Null(tls.CommonName);
    }

    public static TheoryData<byte[], string> MalformedV2()
    {
        var good = V2(1, 0x11, Inet("192.0.2.10", 1, "192.0.2.1", 25));
        byte[] Patch(int index, byte value)
        {
            var copy = (byte[])good.Clone();
            copy[index] = value;
            return copy;
        }

        var badCrc = WithCrc(V2(1, 0x11, Inet("192.0.2.10", 1, "192.0.2.1", 25), (0x03, new byte[4])));
        badCrc[20] ^= 1;
        return new TheoryData<byte[], string>
        {
            { Patch(5, 0x0A), "not a PROXY protocol header" },
            { Patch(11, 0x0D), "not a PROXY protocol header" },
            { Patch(12, 0x11), "v2 header: unknown version or command" },
            { Patch(12, 0x31), "v2 header: unknown version or command" },
            { Patch(12, 0x22), "v2 header: unknown version or command" },
            { Patch(13, 0x41), "v2 header: unknown address family or protocol" },
            { Patch(13, 0x13), "v2 header: unknown address family or protocol" },
            { V2(1, 0x11, new byte[11]), "v2 header: the address block is short" },
            { V2(1, 0x21, new byte[35]), "v2 header: the address block is short" },
            { V2(1, 0x31, new byte[215]), "v2 header: the address block is short" },
            { V2(1, 0x11, [.. Inet("192.0.2.10", 1, "192.0.2.1", 25), 0x05, 0x00]), "v2 header: a truncated TLV" },
            { V2(1, 0x11, [.. Inet("192.0.2.10", 1, "192.0.2.1", 25), 0x05, 0x00, 0x02, 0x01]), "v2 header: a TLV overruns the header" },
            { V2(1, 0x11, Inet("192.0.2.10", 1, "192.0.2.1", 25), (0x20, [1, 0, 0, 0])), "v2 header: SSL TLV: shorter than 5 bytes" },
            { V2(1, 0x11, Inet("192.0.2.10", 1, "192.0.2.1", 25), (0x20, [1, 0, 0, 0, 0, 0x21, 0, 9, 1])), "v2 header: SSL TLV: a TLV overruns the header" },
            { V2(1, 0x11, Inet("192.0.2.10", 1, "192.0.2.1", 25), (0x03, [1, 2, 3])), "v2 header: CRC-32C mismatch" },
            { badCrc, "v2 header: CRC-32C mismatch" },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedV2))]
    public void Malformed_v2_headers_are_invalid(byte[] header, string error)
    {
        var result = ParseAtEverySplit(header);
        Assert.Equal(ProxyParseStatus.Invalid, result.Status);
        Assert.Equal(error, result.Error);
    }

    [Fact]
    public void A_v2_header_of_the_largest_length_needs_all_its_bytes()
    {
        var header = V2(1, 0x11, [.. Inet("192.0.2.10", 1, "192.0.2.1", 25), .. new byte[65535 - 12]]);
        Assert.Equal(ProxyHeaderParser.V2FixedLength + 65535, header.Length);
        Assert.Equal(ProxyParseStatus.NeedMore, ProxyHeaderParser.Parse(header.AsSpan(0, header.Length - 1)).Status);
        var result = ProxyHeaderParser.Parse([.. header, .. s_after]);
        Assert.Equal(ProxyParseStatus.Complete, result.Status); // 65,523 zero bytes: 21,841 TLVs of type 0 and length 0
        Assert.Equal(header.Length, result.Consumed);
        Assert.Equal(21841, result.Header!.Tlvs.Count);
    }

    private static byte[] Tlv(byte type, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        return [type, (byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes];
    }
}
