using System.Buffers.Binary;

namespace EmailRelay.Protocol.Dns;

/// <summary>
/// Builds a standard query (RFC 1035 §4.1): one question of class IN, recursion desired, no other sections.
/// Names are validated here, so a caller can never put a malformed name on the wire.
/// </summary>
internal static class DnsQuery
{
    /// <summary>RFC 1035 §2.3.4: a name is at most 255 octets on the wire.</summary>
    public const int MaxNameLength = 255;

    /// <summary>RFC 1035 §2.3.4: a label is at most 63 octets.</summary>
    public const int MaxLabelLength = 63;

    private const int HeaderLength = 12;
    private const ushort ClassIn = 1;
    private const ushort RecursionDesired = 0x0100;

    /// <summary>Builds the query packet.</summary>
    /// <param name="id">The query id (random, chosen by the caller).</param>
    /// <param name="name">The name, with or without the trailing dot: printable ASCII labels of 1 to 63 octets.</param>
    /// <param name="type">The record type asked for.</param>
    /// <param name="packet">The packet on success.</param>
    /// <param name="error">Why the name cannot be queried; empty on success.</param>
    public static bool TryBuild(ushort id, string name, DnsRecordType type, out byte[] packet, out string error)
    {
        ArgumentNullException.ThrowIfNull(name);
        packet = [];
        if (!TryEncodeName(name, out var encodedName, out error))
        {
            return false;
        }

        packet = new byte[HeaderLength + encodedName.Length + 4];
        var span = packet.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, id);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], RecursionDesired);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], 1); // QDCOUNT
        encodedName.CopyTo(span[HeaderLength..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[(HeaderLength + encodedName.Length)..], (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(span[(HeaderLength + encodedName.Length + 2)..], ClassIn);
        return true;
    }

    /// <summary>Encodes a name as length-prefixed labels ending in the root label.</summary>
    public static bool TryEncodeName(string name, out byte[] encoded, out string error)
    {
        ArgumentNullException.ThrowIfNull(name);
        encoded = [];
        error = "";
        var text = name.EndsWith('.') ? name[..^1] : name;
        if (text.Length == 0)
        {
            error = "empty domain name";
            return false;
        }

        var output = new byte[text.Length + 2];
        var position = 0;
        foreach (var label in text.Split('.'))
        {
            if (label.Length is 0 or > MaxLabelLength)
            {
                error = "invalid domain name [" + Sanitise(name) + "]: bad label length";
                return false;
            }

            output[position++] = (byte)label.Length;
            foreach (var c in label)
            {
                // Printable ASCII only; '\' is excluded because the parser uses it to escape odd octets.
                if (c is <= ' ' or > '~' or '\\')
                {
                    error = "invalid domain name [" + Sanitise(name) + "]: bad character";
                    return false;
                }

                output[position++] = (byte)c;
            }
        }

        output[position++] = 0;
        if (position > MaxNameLength)
        {
            error = "invalid domain name [" + Sanitise(name) + "]: too long";
            return false;
        }

        encoded = output[..position];
        return true;
    }

    private static string Sanitise(string text)
    {
        var chars = text.Length > MaxNameLength ? text[..MaxNameLength].ToCharArray() : text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] is < ' ' or > '~')
            {
                chars[i] = '?';
            }
        }

        return new string(chars);
    }
}
