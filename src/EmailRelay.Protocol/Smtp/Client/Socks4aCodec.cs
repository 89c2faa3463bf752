using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace EmailRelay.Protocol.Smtp.Client;

/// <summary>
/// The SOCKS4a CONNECT request and reply (the SOCKS 4 protocol with Ying-Da Lee's 4A extension), for targets of the
/// form <c>host:port@socks-host:socks-port</c> (reference §i): the proxy resolves the host name itself (e.g. Tor).
/// Request: VN=4, CD=1, DSTPORT (2 bytes, network order), DSTIP, an empty USERID and its NUL; with a name instead of
/// an IPv4 address DSTIP is 0.0.0.1 and the name follows, NUL-terminated. Reply: 8 bytes, VN=0, CD=90 for granted.
/// </summary>
internal static class Socks4aCodec
{
    /// <summary>The length of a reply.</summary>
    public const int ReplyLength = 8;

    /// <summary>The reply code for a granted request.</summary>
    public const byte Granted = 90;

    /// <summary>The longest host name sent (a DNS name is at most 253 characters; UTF-8 names may be longer in bytes).</summary>
    public const int MaxHostBytes = 1024;

    /// <summary>Encodes a CONNECT request: plain SOCKS4 for an IPv4 literal, SOCKS4a (the proxy resolves) otherwise.</summary>
    /// <param name="host">The target host name or IPv4 address (an IPv6 literal goes as a name).</param>
    /// <param name="port">The target port.</param>
    /// <returns>The request bytes.</returns>
    /// <exception cref="ArgumentException">An empty or over-long host, a host with a NUL, or a bad port.</exception>
    public static byte[] EncodeConnect(string host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        if (host.Length == 0 || host.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("invalid socks target host", nameof(host));
        }

        var ipv4 = ParseDottedQuad(host);
        var name = ipv4 is null ? Encoding.UTF8.GetBytes(host) : [];
        if (name.Length > MaxHostBytes)
        {
            throw new ArgumentException("socks target host name too long", nameof(host));
        }

        var request = new byte[9 + (ipv4 is null ? name.Length + 1 : 0)];
        request[0] = 4;
        request[1] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(2), (ushort)port);
        if (ipv4 is not null)
        {
            ipv4.CopyTo(request.AsSpan(4, 4));
        }
        else
        {
            request[7] = 1; // 0.0.0.1: "the name follows"
            name.CopyTo(request.AsSpan(9));
        }

        // request[8] is the empty USERID's NUL; the name's NUL is the last byte.
        return request;
    }

    private static byte[]? ParseDottedQuad(string host)
    {
        var parts = host.Split('.');
        if (parts.Length != 4)
        {
            return null;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            if (parts[i].Length is 0 or > 3 || !parts[i].All(char.IsAsciiDigit)
                || !byte.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return null;
            }
        }

        return bytes;
    }

    /// <summary>Decodes a reply.</summary>
    /// <param name="reply">At least <see cref="ReplyLength"/> bytes.</param>
    /// <param name="error">Null when granted; otherwise why not, e.g. <c>socks request rejected (91)</c>.</param>
    /// <returns>Whether the proxy granted the connection.</returns>
    public static bool TryDecodeReply(ReadOnlySpan<byte> reply, out string? error)
    {
        if (reply.Length < ReplyLength)
        {
            error = "short socks reply";
            return false;
        }

        if (reply[0] != 0)
        {
            error = "invalid socks reply";
            return false;
        }

        error = reply[1] switch
        {
            Granted => null,
            91 => "socks request rejected or failed (91)",
            92 => "socks request rejected: no identd (92)",
            93 => "socks request rejected: identd mismatch (93)",
            var other => "socks request failed (" + other.ToString(CultureInfo.InvariantCulture) + ")",
        };
        return error is null;
    }
}
