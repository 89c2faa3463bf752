using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace EmailRelay.Protocol.Dns;

/// <summary>
/// Parses a DNS message (RFC 1035 §4.1) defensively: every offset is checked against the packet, compression
/// pointers must point strictly backwards (so they cannot loop) and are also capped in number, names are capped
/// at 255 octets, and each record's data must exactly fill its RDLENGTH. Malformed input gives an error, never
/// an exception. Names come back lower-case, without the trailing dot, with octets outside printable ASCII (and
/// <c>.</c> or <c>\</c> inside a label) written as <c>\DDD</c>.
/// </summary>
internal static class DnsMessageParser
{
    private const int HeaderLength = 12;
    private const int MaxPointers = 64;

    /// <summary>Parses a whole message.</summary>
    /// <param name="packet">The message bytes (a UDP payload, or a TCP message without its length prefix).</param>
    /// <param name="message">The message on success.</param>
    /// <param name="error">What is wrong with it; empty on success.</param>
    public static bool TryParse(ReadOnlySpan<byte> packet, out DnsMessage? message, out string error)
    {
        message = null;
        if (packet.Length < HeaderLength)
        {
            error = "short dns header";
            return false;
        }

        var id = BinaryPrimitives.ReadUInt16BigEndian(packet);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        int questions = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        int answers = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        int authorities = BinaryPrimitives.ReadUInt16BigEndian(packet[8..]);
        int additional = BinaryPrimitives.ReadUInt16BigEndian(packet[10..]);
        var truncated = (flags & 0x0200) != 0;
        var offset = HeaderLength;
        var questionName = "";
        var questionType = (DnsRecordType)0;
        for (var i = 0; i < questions; i++)
        {
            if (!TryReadName(packet, ref offset, out var name, out error))
            {
                return false;
            }

            if (offset + 4 > packet.Length)
            {
                error = "short dns question";
                return false;
            }

            if (i == 0)
            {
                questionName = name;
                questionType = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
            }

            offset += 4;
        }

        var answerList = new List<DnsRecord>();
        var additionalList = new List<DnsRecord>();
        // A truncated message may end anywhere after the question: keep what is complete (RFC 2181 §9).
        if (!TryReadRecords(packet, ref offset, answers, answerList, out error)
            || !TryReadRecords(packet, ref offset, authorities, null, out error)
            || !TryReadRecords(packet, ref offset, additional, additionalList, out error))
        {
            if (!truncated)
            {
                return false;
            }

            error = "";
        }

        message = new DnsMessage(id, (flags & 0x8000) != 0, truncated, (DnsResponseCode)(flags & 0x000F), questionName, questionType, answerList, additionalList);
        error = "";
        return true;
    }

    /// <summary>Reads a possibly compressed name at <paramref name="offset"/>, which moves past it.</summary>
    public static bool TryReadName(ReadOnlySpan<byte> packet, ref int offset, out string name, out string error)
    {
        name = "";
        error = "";
        var sb = new StringBuilder();
        var position = offset;
        var end = -1; // where the caller continues: after the first pointer, or after the root label
        var pointers = 0;
        var wireLength = 0;
        while (true)
        {
            if (position >= packet.Length)
            {
                error = "dns name runs past the end";
                return false;
            }

            int length = packet[position];
            if ((length & 0xC0) == 0xC0)
            {
                if (position + 1 >= packet.Length)
                {
                    error = "dns name pointer runs past the end";
                    return false;
                }

                var target = ((length & 0x3F) << 8) | packet[position + 1];
                // RFC 1035 §4.1.4: a pointer refers to a prior occurrence; strictly backwards means no loops.
                if (target >= position || ++pointers > MaxPointers)
                {
                    error = "bad dns name pointer";
                    return false;
                }

                if (end < 0)
                {
                    end = position + 2;
                }

                position = target;
                continue;
            }

            if ((length & 0xC0) != 0)
            {
                error = "unsupported dns label type";
                return false;
            }

            wireLength += length + 1;
            if (wireLength > DnsQuery.MaxNameLength)
            {
                error = "dns name too long";
                return false;
            }

            if (length == 0)
            {
                offset = end < 0 ? position + 1 : end;
                name = sb.ToString();
                return true;
            }

            if (position + 1 + length > packet.Length)
            {
                error = "dns label runs past the end";
                return false;
            }

            if (sb.Length > 0)
            {
                sb.Append('.');
            }

            AppendLabel(sb, packet.Slice(position + 1, length));
            position += 1 + length;
        }
    }

    private static bool TryReadRecords(ReadOnlySpan<byte> packet, ref int offset, int count, List<DnsRecord>? records, out string error)
    {
        error = "";
        for (var i = 0; i < count; i++)
        {
            if (!TryReadRecord(packet, ref offset, out var record, out error))
            {
                return false;
            }

            records?.Add(record!);
        }

        return true;
    }

    private static bool TryReadRecord(ReadOnlySpan<byte> packet, ref int offset, out DnsRecord? record, out string error)
    {
        record = null;
        if (!TryReadName(packet, ref offset, out var name, out error))
        {
            return false;
        }

        if (offset + 10 > packet.Length)
        {
            error = "short dns record header";
            return false;
        }

        var type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
        var @class = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(packet[(offset + 4)..]);
        int length = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 8)..]);
        var start = offset + 10;
        if (start + length > packet.Length)
        {
            error = "dns record data runs past the end";
            return false;
        }

        var data = packet.Slice(start, length);
        record = new DnsRecord(name, type, @class, ttl);
        switch (type)
        {
            case DnsRecordType.A when length == 4:
            case DnsRecordType.Aaaa when length == 16:
                record = record with { Address = new IPAddress(data) };
                break;
            case DnsRecordType.A or DnsRecordType.Aaaa:
                error = "bad dns address length";
                return false;
            case DnsRecordType.MX:
                if (length < 3 || !TryReadTarget(packet, start + 2, start + length, out var exchange, out error))
                {
                    error = error.Length > 0 ? error : "short dns mx record";
                    return false;
                }

                record = record with { Preference = BinaryPrimitives.ReadUInt16BigEndian(data), Target = exchange };
                break;
            case DnsRecordType.CName or DnsRecordType.NS or DnsRecordType.Ptr:
                if (!TryReadTarget(packet, start, start + length, out var target, out error))
                {
                    return false;
                }

                record = record with { Target = target };
                break;
            case DnsRecordType.Txt:
                if (!TryReadText(data, out var text, out error))
                {
                    return false;
                }

                record = record with { Text = text };
                break;
        }

        offset = start + length;
        return true;
    }

    /// <summary>Reads a name that must end exactly at <paramref name="end"/> (the end of the record data).</summary>
    private static bool TryReadTarget(ReadOnlySpan<byte> packet, int start, int end, out string name, out string error)
    {
        var position = start;
        // The name may not run past the record data, but its pointers may point anywhere before it.
        if (!TryReadName(packet[..end], ref position, out name, out error))
        {
            return false;
        }

        if (position != end)
        {
            error = "dns record data length mismatch";
            return false;
        }

        return true;
    }

    private static bool TryReadText(ReadOnlySpan<byte> data, out string text, out string error)
    {
        var sb = new StringBuilder();
        var position = 0;
        while (position < data.Length)
        {
            int length = data[position];
            if (position + 1 + length > data.Length)
            {
                text = "";
                error = "dns text runs past the end";
                return false;
            }

            foreach (var b in data.Slice(position + 1, length))
            {
                sb.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
            }

            position += 1 + length;
        }

        text = sb.ToString();
        error = "";
        return true;
    }

    private static void AppendLabel(StringBuilder sb, ReadOnlySpan<byte> label)
    {
        foreach (var b in label)
        {
            if (b is > 0x20 and < 0x7F and not (byte)'.' and not (byte)'\\')
            {
                sb.Append(b is >= (byte)'A' and <= (byte)'Z' ? (char)(b + 32) : (char)b);
            }
            else
            {
                sb.Append('\\').Append((char)('0' + (b / 100))).Append((char)('0' + (b / 10 % 10))).Append((char)('0' + (b % 10)));
            }
        }
    }
}
