namespace EmailRelay.Protocol.Dns;

/// <summary>The resource record types the relay asks for or reads (RFC 1035 §3.2.2, RFC 3596 for AAAA).</summary>
public enum DnsRecordType : ushort
{
    /// <summary>An IPv4 host address.</summary>
    A = 1,

    /// <summary>An authoritative name server.</summary>
    NS = 2,

    /// <summary>The canonical name of an alias.</summary>
    CName = 5,

    /// <summary>Start of a zone of authority.</summary>
    Soa = 6,

    /// <summary>A domain name pointer (reverse lookups).</summary>
    Ptr = 12,

    /// <summary>Mail exchange.</summary>
    MX = 15,

    /// <summary>Text strings.</summary>
    Txt = 16,

    /// <summary>An IPv6 host address.</summary>
    Aaaa = 28,
}
