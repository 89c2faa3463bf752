using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text;

namespace EmailRelay.Protocol.Proxy;

/// <summary>
/// The PROXY protocol header codec (HAProxy's specification, versions 1 and 2): a pure function of the bytes
/// received so far on a connection. <see cref="ProxyParseStatus.NeedMore"/> means every byte given is part of
/// the header, so a reader may consume them all and read on; <see cref="ProxyParseStatus.Complete"/> gives the exact
/// header length, so nothing after it (an SMTP command, a TLS ClientHello) is taken. Bad bytes are reported as
/// soon as they arrive: a v1 line longer than 107 bytes, a non-printable byte, a wrong signature, version, command,
/// family or protocol, a short address block, a TLV that overruns the header, a CRC-32C TLV that does not match.
/// A v2 header is at most 16 + 65,535 bytes, its length field's limit.
/// </summary>
public static class ProxyHeaderParser
{
    /// <summary>The longest v1 header, CRLF included.</summary>
    public const int MaxV1Length = 107;

    /// <summary>The fixed part of a v2 header: signature, version and command, family and protocol, length.</summary>
    public const int V2FixedLength = 16;

    private const int V1PrefixLength = 6;

    /// <summary>The v1 header's first six bytes.</summary>
    public static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    /// <summary>The v2 header's twelve-byte signature.</summary>
    public static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>Parses the bytes received so far.</summary>
    public static ProxyParseResult Parse(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return ProxyParseResult.NeedMore;
        }

        if (data[0] == V2Signature[0])
        {
            return ParseV2(data);
        }

        return data[0] == V1Prefix[0] ? ParseV1(data) : ProxyParseResult.Invalid("not a PROXY protocol header");
    }

    private static ProxyParseResult ParseV1(ReadOnlySpan<byte> data)
    {
        var prefix = Math.Min(data.Length, V1PrefixLength);
        if (!data[..prefix].SequenceEqual(V1Prefix[..prefix]))
        {
            return ProxyParseResult.Invalid("not a PROXY protocol header");
        }

        var window = data[..Math.Min(data.Length, MaxV1Length)];
        var lf = window.IndexOf((byte)'\n');
        var line = lf < 0 ? window : window[..lf];
        for (var i = 0; i < line.Length; i++)
        {
            var b = line[i];
            var lastBeforeLf = i == line.Length - 1;
            if (b == '\r' ? !lastBeforeLf : b is < 0x20 or > 0x7E)
            {
                return ProxyParseResult.Invalid("v1 header: invalid character");
            }
        }

        if (lf < 0)
        {
            return data.Length >= MaxV1Length ? ProxyParseResult.Invalid("v1 header: no CRLF within 107 bytes") : ProxyParseResult.NeedMore;
        }

        if (lf == 0 || line[^1] != '\r')
        {
            return ProxyParseResult.Invalid("v1 header: a bare LF");
        }

        var text = Encoding.ASCII.GetString(line[..^1]);
        var parts = text.Split(' ');
        if (parts.Length >= 2 && parts[1] == "UNKNOWN")
        {
            return ProxyParseResult.Complete(new ProxyHeader(1, false, null, null, []), lf + 1);
        }

        if (parts.Length != 6 || parts[1] is not ("TCP4" or "TCP6"))
        {
            return ProxyParseResult.Invalid("v1 header: expected \"PROXY TCP4|TCP6 <source> <destination> <source-port> <destination-port>\" or \"PROXY UNKNOWN\"");
        }

        var v4 = parts[1] == "TCP4";
        if (!TryAddress(parts[2], v4, out var source) || !TryAddress(parts[3], v4, out var destination))
        {
            return ProxyParseResult.Invalid("v1 header: invalid " + (v4 ? "IPv4" : "IPv6") + " address");
        }

        if (!TryPort(parts[4], out var sourcePort) || !TryPort(parts[5], out var destinationPort))
        {
            return ProxyParseResult.Invalid("v1 header: invalid port");
        }

        return ProxyParseResult.Complete(new ProxyHeader(1, false, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort), []), lf + 1);
    }

    private static bool TryAddress(string text, bool v4, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Length == 0 || (v4 ? text.Split('.').Length != 4 || text.Any(c => c is not ('.' or (>= '0' and <= '9'))) : !text.Contains(':', StringComparison.Ordinal) || text.Contains('%', StringComparison.Ordinal)))
        {
            return false;
        }

        if (!IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        // The text's shape fixed the family: dotted digits give IPv4, a colon gives IPv6.
        address = parsed;
        return true;
    }

    private static bool TryPort(string text, out int port)
    {
        port = 0;
        return text.Length is > 0 and <= 5 && text.All(char.IsAsciiDigit)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535;
    }

    private static ProxyParseResult ParseV2(ReadOnlySpan<byte> data)
    {
        var signature = Math.Min(data.Length, V2Signature.Length);
        if (!data[..signature].SequenceEqual(V2Signature[..signature]))
        {
            return ProxyParseResult.Invalid("not a PROXY protocol header");
        }

        if (data.Length > 12 && (data[12] >> 4 != 2 || (data[12] & 0x0F) > 1))
        {
            return ProxyParseResult.Invalid("v2 header: unknown version or command");
        }

        if (data.Length > 13 && (data[13] >> 4 > 3 || (data[13] & 0x0F) > 2))
        {
            return ProxyParseResult.Invalid("v2 header: unknown address family or protocol");
        }

        if (data.Length < V2FixedLength)
        {
            return ProxyParseResult.NeedMore;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(data[14..16]);
        var total = V2FixedLength + length;
        if (data.Length < total)
        {
            return ProxyParseResult.NeedMore;
        }

        var header = data[..total];
        if ((header[12] & 0x0F) == 0)
        {
            // LOCAL: the balancer's own connection; the address block and TLVs are ignored, as the specification says.
            return ProxyParseResult.Complete(new ProxyHeader(2, true, null, null, []), total);
        }

        var family = header[13] >> 4;
        var addressLength = family switch { 1 => 12, 2 => 36, 3 => 216, _ => 0 };
        if (length < addressLength)
        {
            return ProxyParseResult.Invalid("v2 header: the address block is short");
        }

        IPEndPoint? source = null;
        IPEndPoint? destination = null;
        if (family is 1 or 2 && (header[13] & 0x0F) == 1)
        {
            var size = family == 1 ? 4 : 16;
            var block = header[V2FixedLength..];
            source = new IPEndPoint(new IPAddress(block[..size]), BinaryPrimitives.ReadUInt16BigEndian(block[(2 * size)..]));
            destination = new IPEndPoint(new IPAddress(block[size..(2 * size)]), BinaryPrimitives.ReadUInt16BigEndian(block[((2 * size) + 2)..]));
        }

        var tlvStart = V2FixedLength + addressLength;
        if (!TryTlvs(header[tlvStart..], out var tlvs, out var error))
        {
            return ProxyParseResult.Invalid("v2 header: " + error);
        }

        ProxyTls? tls = null;
        var offset = tlvStart;
        foreach (var tlv in tlvs)
        {
            if (tlv.Type == ProxyTlvType.Crc32C && !CrcMatches(header, offset + 3, tlv.Value.Span))
            {
                return ProxyParseResult.Invalid("v2 header: CRC-32C mismatch");
            }

            if (tlv.Type == ProxyTlvType.Ssl)
            {
                if (!TrySsl(tlv.Value.Span, out tls, out error))
                {
                    return ProxyParseResult.Invalid("v2 header: SSL TLV: " + error);
                }
            }

            offset += 3 + tlv.Value.Length;
        }

        return ProxyParseResult.Complete(new ProxyHeader(2, false, source, destination, tlvs) { Tls = tls }, total);
    }

    private static bool TryTlvs(ReadOnlySpan<byte> bytes, out List<ProxyTlv> tlvs, out string error)
    {
        tlvs = [];
        error = "";
        while (!bytes.IsEmpty)
        {
            if (bytes.Length < 3)
            {
                error = "a truncated TLV";
                return false;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[1..3]);
            if (bytes.Length < 3 + length)
            {
                error = "a TLV overruns the header";
                return false;
            }

            tlvs.Add(new ProxyTlv((ProxyTlvType)bytes[0], bytes.Slice(3, length).ToArray()));
            bytes = bytes[(3 + length)..];
        }

        return true;
    }

    private static bool CrcMatches(ReadOnlySpan<byte> header, int valueOffset, ReadOnlySpan<byte> value)
    {
        if (value.Length != 4)
        {
            return false;
        }

        var crc = uint.MaxValue;
        for (var i = 0; i < header.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, i >= valueOffset && i < valueOffset + 4 ? (byte)0 : header[i]);
        }

        return ~crc == BinaryPrimitives.ReadUInt32BigEndian(value);
    }

    private static bool TrySsl(ReadOnlySpan<byte> value, out ProxyTls? tls, out string error)
    {
        tls = null;
        if (value.Length < 5)
        {
            error = "shorter than 5 bytes";
            return false;
        }

        if (!TryTlvs(value[5..], out var subs, out error))
        {
            return false;
        }

        string? Text(ProxyTlvType type) => subs.FirstOrDefault(s => s.Type == type) is { } t ? Encoding.UTF8.GetString(t.Value.Span) : null;
        tls = new ProxyTls(value[0], BinaryPrimitives.ReadUInt32BigEndian(value[1..5]), Text(ProxyTlvType.SslVersion), Text(ProxyTlvType.SslCipher), Text(ProxyTlvType.SslCommonName));
        return true;
    }
}
