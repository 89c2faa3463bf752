using System.Net;
using EmailRelay.Protocol.Dns;

namespace EmailRelay.Dns;

/// <summary>
/// Finds where mail for a domain goes (RFC 5321 §5.1): the MX records in order of preference, each exchange's A
/// then AAAA records, the first address found winning. With no MX records (NODATA) the domain itself is the host
/// (the implicit MX); a single MX of <c>.</c> means the domain takes no mail (RFC 7505).
/// </summary>
internal sealed class MxLookup
{
    private readonly DnsResolver _resolver;

    /// <summary>Creates the lookup over a resolver.</summary>
    public MxLookup(DnsResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        _resolver = resolver;
    }

    /// <summary>Looks up the address for a domain.</summary>
    public async Task<MxLookupResult> LookupAsync(string domain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var mx = await _resolver.QueryAsync(domain, DnsRecordType.MX, cancellationToken);
        if (mx.Status != DnsStatus.Answer)
        {
            return MxLookupResult.Failed("mx lookup of [" + domain + "] failed: " + mx.Error);
        }

        var exchanges = mx.Records(DnsRecordType.MX).OrderBy(r => r.Preference).Select(r => r.Target).ToList();
        if (exchanges.Count == 1 && exchanges[0].Length == 0)
        {
            return MxLookupResult.Failed("domain [" + domain + "] does not accept mail (null mx)");
        }

        if (exchanges.Count == 0)
        {
            exchanges.Add(domain.TrimEnd('.').ToLowerInvariant());
        }

        var error = "";
        foreach (var host in exchanges.Where(e => e.Length > 0).Distinct(StringComparer.Ordinal))
        {
            foreach (var type in new[] { DnsRecordType.A, DnsRecordType.Aaaa })
            {
                var result = await _resolver.QueryAsync(host, type, cancellationToken);
                if (result.Addresses(type).FirstOrDefault() is { } address)
                {
                    return new MxLookupResult(address, host, "");
                }

                error = result.Status == DnsStatus.Answer ? "no address for [" + host + "]" : "address lookup of [" + host + "] failed: " + result.Error;
            }
        }

        return MxLookupResult.Failed(error);
    }

    /// <summary>A unspecified IPv4 address (<c>0.0.0.0</c>): the answer that means "use --forward-to".</summary>
    public static bool IsUnspecified(IPAddress address) => IPAddress.Any.Equals(address);
}
