using System.Net;

namespace EmailRelay.Dns;

/// <summary>The outcome of an <see cref="MxLookup"/>: the address to deliver to, or why there is none.</summary>
/// <param name="Address">The address; null on failure.</param>
/// <param name="Host">The host the address belongs to (the MX exchange, or the domain itself without MX records).</param>
/// <param name="Error">Why the lookup failed; empty on success.</param>
internal sealed record MxLookupResult(IPAddress? Address, string Host, string Error)
{
    /// <summary>A failure.</summary>
    public static MxLookupResult Failed(string error) => new(null, "", error);
}
