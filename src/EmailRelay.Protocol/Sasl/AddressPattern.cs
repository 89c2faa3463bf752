using System.Net;

namespace EmailRelay.Protocol.Sasl;

/// <summary>
/// An IP address wildcard from a <c>server none</c> line: an exact address, CIDR (<c>192.168.0.0/24</c>,
/// <c>fe80::/64</c>) or <c>*</c> octets (<c>192.168.0.*</c>, <c>10.*.*.*</c>).
/// </summary>
internal sealed class AddressPattern
{
    private readonly byte[] _network;
    private readonly int _prefix;
    private readonly int _length;

    private AddressPattern(string text, byte[] network, int prefix)
    {
        Text = text;
        _network = network;
        _prefix = prefix;
        _length = network.Length;
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>Parses a pattern; false if it is not one.</summary>
    public static bool TryParse(string text, out AddressPattern pattern)
    {
        ArgumentNullException.ThrowIfNull(text);
        pattern = null!;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (!IPAddress.TryParse(text.AsSpan(0, slash), out IPAddress? address)
                || !int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int prefix))
            {
                return false;
            }

            byte[] bytes = address.GetAddressBytes();
            if (prefix > bytes.Length * 8)
            {
                return false;
            }

            pattern = new AddressPattern(text, bytes, prefix);
            return true;
        }

        if (text.Contains('*', StringComparison.Ordinal))
        {
            string[] parts = text.Split('.');
            if (parts.Length != 4)
            {
                return false;
            }

            var network = new byte[4];
            int fixedOctets = 0;
            bool wild = false;
            for (int i = 0; i < 4; i++)
            {
                if (parts[i] == "*")
                {
                    wild = true;
                    continue;
                }

                if (wild || !byte.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out network[i]))
                {
                    return false;
                }

                fixedOctets++;
            }

            pattern = new AddressPattern(text, network, fixedOctets * 8);
            return true;
        }

        if (!IPAddress.TryParse(text, out IPAddress? exact))
        {
            return false;
        }

        byte[] exactBytes = exact.GetAddressBytes();
        pattern = new AddressPattern(text, exactBytes, exactBytes.Length * 8);
        return true;
    }

    /// <summary>True if <paramref name="address"/> matches (IPv4-mapped IPv6 addresses match IPv4 patterns).</summary>
    public bool Matches(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6 && _length == 4)
        {
            address = address.MapToIPv4();
        }

        byte[] bytes = address.GetAddressBytes();
        if (bytes.Length != _length)
        {
            return false;
        }

        int bits = _prefix;
        for (int i = 0; i < bytes.Length && bits > 0; i++, bits -= 8)
        {
            int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
            if ((bytes[i] & mask) != (_network[i] & mask))
            {
                return false;
            }
        }

        return true;
    }
}
