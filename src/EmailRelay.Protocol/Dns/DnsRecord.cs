using System.Net;

namespace EmailRelay.Protocol.Dns;

/// <summary>
/// One resource record of a response. The typed payload depends on <see cref="Type"/>: <see cref="Address"/> for
/// A and AAAA; <see cref="Target"/> for MX (the exchange), CNAME, NS and PTR; <see cref="Preference"/> for MX;
/// <see cref="Text"/> for TXT (the character-strings joined). Other types keep only the header fields.
/// </summary>
/// <param name="Name">The owner name, lower-case, without the trailing dot (empty for the root).</param>
/// <param name="Type">The record type (may be a value outside <see cref="DnsRecordType"/>).</param>
/// <param name="Class">The class (1 for IN).</param>
/// <param name="TimeToLive">The TTL in seconds.</param>
internal sealed record DnsRecord(string Name, DnsRecordType Type, ushort Class, uint TimeToLive)
{
    /// <summary>The address of an A or AAAA record; otherwise null.</summary>
    public IPAddress? Address { get; init; }

    /// <summary>The domain name an MX, CNAME, NS or PTR record points to, lower-case; otherwise empty.</summary>
    public string Target { get; init; } = "";

    /// <summary>The MX preference (lower is preferred); otherwise 0.</summary>
    public ushort Preference { get; init; }

    /// <summary>The TXT record's strings, concatenated; otherwise empty.</summary>
    public string Text { get; init; } = "";
}
