namespace EmailRelay.Protocol.Proxy;

/// <summary>The outcome of parsing the first bytes of a connection as a PROXY protocol header.</summary>
/// <param name="Status">Need more, complete, or invalid.</param>
/// <param name="Header">The header, when complete.</param>
/// <param name="Consumed">The header's length in bytes, when complete; otherwise 0.</param>
/// <param name="Error">Why the bytes are not a valid header, when invalid (for the log line).</param>
public readonly record struct ProxyParseResult(ProxyParseStatus Status, ProxyHeader? Header, int Consumed, string? Error)
{
    /// <summary>A valid prefix.</summary>
    public static ProxyParseResult NeedMore { get; } = new(ProxyParseStatus.NeedMore, null, 0, null);

    /// <summary>A whole header of <paramref name="consumed"/> bytes.</summary>
    public static ProxyParseResult Complete(ProxyHeader header, int consumed) => new(ProxyParseStatus.Complete, header, consumed, null);

    /// <summary>Bytes that are not a valid header.</summary>
    public static ProxyParseResult Invalid(string error) => new(ProxyParseStatus.Invalid, null, 0, error);
}
