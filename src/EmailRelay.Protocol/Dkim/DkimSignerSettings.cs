namespace EmailRelay.Protocol.Dkim;

/// <summary>
/// One signature of a <c>dkim:</c> filter spec, as parsed: who signs (<c>d=</c>, <c>s=</c>), with which key file and
/// algorithm, over which header fields, for which sender domains, and with which canonicalization.
/// </summary>
internal sealed record DkimSignerSettings
{
    /// <summary>
    /// The header fields signed when the spec names none: RFC 6376 §5.4.1's list. Each is signed as many times as it
    /// occurs; From is always signed once more than it occurs (oversigned), so no From can be added.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultHeaders =
    [
        "from", "reply-to", "subject", "date", "to", "cc", "resent-date", "resent-from", "resent-to", "resent-cc",
        "in-reply-to", "references", "list-id", "list-help", "list-unsubscribe", "list-subscribe", "list-post",
        "list-owner", "list-archive", "message-id", "mime-version", "content-type", "content-transfer-encoding",
        "content-id", "content-description",
    ];

    /// <summary>The signing domain (<c>d=</c>), lowercase ASCII.</summary>
    public required string Domain { get; init; }

    /// <summary>The selector (<c>s=</c>).</summary>
    public required string Selector { get; init; }

    /// <summary>The private key file, as given (Core makes a relative path absolute).</summary>
    public required string KeyPath { get; init; }

    /// <summary>The algorithm, or null to take it from the key (RSA keys: <c>rsa-sha256</c>).</summary>
    public DkimAlgorithm? Algorithm { get; init; }

    /// <summary>The header field names to sign, lowercase, From first.</summary>
    public IReadOnlyList<string> Headers { get; init; } = DefaultHeaders;

    /// <summary>The header canonicalization (<c>relaxed</c> by default).</summary>
    public DkimCanonicalization HeaderCanonicalization { get; init; } = DkimCanonicalization.Relaxed;

    /// <summary>The body canonicalization (<c>relaxed</c> by default).</summary>
    public DkimCanonicalization BodyCanonicalization { get; init; } = DkimCanonicalization.Relaxed;

    /// <summary>
    /// The From domains signed: exact names, <c>*.name</c> for any subdomain of name, or <c>*</c> for any. Empty means
    /// <see cref="Domain"/> and its subdomains.
    /// </summary>
    public IReadOnlyList<string> SenderDomains { get; init; } = [];

    /// <summary>True if a message whose From domain is <paramref name="fromDomain"/> (lowercase) gets this signature.</summary>
    public bool AppliesTo(string? fromDomain)
    {
        if (fromDomain is null)
        {
            return false;
        }

        if (SenderDomains.Count == 0)
        {
            return IsSameOrSubdomain(fromDomain, Domain);
        }

        foreach (var pattern in SenderDomains)
        {
            if (pattern == "*" || pattern == fromDomain ||
                (pattern.StartsWith("*.", StringComparison.Ordinal) && fromDomain.EndsWith(pattern[1..], StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSameOrSubdomain(string domain, string parent)
        => domain == parent || (domain.Length > parent.Length && domain.EndsWith(parent, StringComparison.Ordinal) && domain[^(parent.Length + 1)] == '.');
}
