namespace EmailRelay.Protocol.Proxy;

/// <summary>The v2 TLV types of the PROXY protocol specification (section 2.2.x); others are kept as numbers.</summary>
public enum ProxyTlvType : byte
{
    /// <summary><c>PP2_TYPE_ALPN</c>: the negotiated application protocol.</summary>
    Alpn = 0x01,

    /// <summary><c>PP2_TYPE_AUTHORITY</c>: the host name the client asked for (SNI).</summary>
    Authority = 0x02,

    /// <summary><c>PP2_TYPE_CRC32C</c>: a CRC-32C of the whole header, checked when present.</summary>
    Crc32C = 0x03,

    /// <summary><c>PP2_TYPE_NOOP</c>: padding.</summary>
    Noop = 0x04,

    /// <summary><c>PP2_TYPE_UNIQUE_ID</c>: the balancer's connection id.</summary>
    UniqueId = 0x05,

    /// <summary><c>PP2_TYPE_SSL</c>: the client's TLS at the balancer (<see cref="ProxyTls"/>), with sub-TLVs.</summary>
    Ssl = 0x20,

    /// <summary><c>PP2_SUBTYPE_SSL_VERSION</c>, inside <see cref="Ssl"/>.</summary>
    SslVersion = 0x21,

    /// <summary><c>PP2_SUBTYPE_SSL_CN</c>, inside <see cref="Ssl"/>: the client certificate's common name.</summary>
    SslCommonName = 0x22,

    /// <summary><c>PP2_SUBTYPE_SSL_CIPHER</c>, inside <see cref="Ssl"/>.</summary>
    SslCipher = 0x23,

    /// <summary><c>PP2_SUBTYPE_SSL_SIG_ALG</c>, inside <see cref="Ssl"/>.</summary>
    SslSignatureAlgorithm = 0x24,

    /// <summary><c>PP2_SUBTYPE_SSL_KEY_ALG</c>, inside <see cref="Ssl"/>.</summary>
    SslKeyAlgorithm = 0x25,

    /// <summary><c>PP2_TYPE_NETNS</c>: the balancer's network namespace name.</summary>
    NetNamespace = 0x30,
}
