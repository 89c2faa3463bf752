namespace EmailRelay.Dns;

/// <summary>What the DNSBL servers said about one address.</summary>
/// <param name="ListedBy">The lists that list it (they answered with an A record).</param>
/// <param name="NotAnswered">The lists that gave no answer in time (or failed).</param>
/// <param name="Drop">True if the connection must be dropped.</param>
internal sealed record DnsblResult(IReadOnlyList<string> ListedBy, IReadOnlyList<string> NotAnswered, bool Drop);
