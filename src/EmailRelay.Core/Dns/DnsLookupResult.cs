using System.Net;
using EmailRelay.Protocol.Dns;

namespace EmailRelay.Dns;

/// <summary>The outcome of one DNS query, as a value: the status, the response when there was one, and an error text otherwise.</summary>
/// <param name="Status">How the query ended.</param>
/// <param name="Message">The response for <see cref="DnsStatus.Answer"/> and <see cref="DnsStatus.NameError"/>; otherwise null.</param>
/// <param name="Error">What went wrong, for logs (<c>timeout</c>, <c>no such domain</c>, the server's error code); empty for an answer.</param>
internal sealed record DnsLookupResult(DnsStatus Status, DnsMessage? Message, string Error)
{
    /// <summary>The answer-section records of a type (none unless <see cref="Status"/> is <see cref="DnsStatus.Answer"/>).</summary>
    public IEnumerable<DnsRecord> Records(DnsRecordType type) => Message?.Answers.Where(r => r.Type == type) ?? [];

    /// <summary>The addresses of the answer's A or AAAA records.</summary>
    public IEnumerable<IPAddress> Addresses(DnsRecordType type) => Records(type).Select(r => r.Address).OfType<IPAddress>();
}
