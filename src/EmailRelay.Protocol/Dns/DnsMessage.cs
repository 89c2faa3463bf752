namespace EmailRelay.Protocol.Dns;

/// <summary>A parsed DNS message (RFC 1035 §4.1): the header fields the relay uses and the records of each section.</summary>
/// <param name="Id">The 16-bit query id.</param>
/// <param name="IsResponse">The QR bit.</param>
/// <param name="IsTruncated">The TC bit: the answer did not fit, ask again over TCP (RFC 1035 §4.2.1, RFC 7766).</param>
/// <param name="ResponseCode">The RCODE.</param>
/// <param name="QuestionName">The first question's name, lower-case without the trailing dot; empty if there was none.</param>
/// <param name="QuestionType">The first question's type.</param>
/// <param name="Answers">The answer section.</param>
/// <param name="Additional">The additional section (e.g. addresses of MX exchanges).</param>
internal sealed record DnsMessage(
    ushort Id,
    bool IsResponse,
    bool IsTruncated,
    DnsResponseCode ResponseCode,
    string QuestionName,
    DnsRecordType QuestionType,
    IReadOnlyList<DnsRecord> Answers,
    IReadOnlyList<DnsRecord> Additional);
