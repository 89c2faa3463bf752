namespace EmailRelay.Protocol.Routing;

/// <summary>
/// One line of a route table (README "Outbound: routing"): what it matches, and the route: the smarthost failover
/// list (empty: <c>--forward-to</c>), the client account selector (empty: none), the TLS requirement and the rate
/// limits (zero: none).
/// </summary>
/// <param name="Line">The line number, for log lines.</param>
/// <param name="Kind">What it looks at.</param>
/// <param name="Pattern">The domain (<c>example.com</c>, <c>*.example.com</c> for subdomains, <c>*</c>) or user; empty for <see cref="RouteMatchKind.Any"/>.</param>
/// <param name="Smarthost">The <c>ForwardToAddress</c> to record (with a TLS scheme if <c>tls=</c> asks), or empty.</param>
internal sealed record RouteRule(int Line, RouteMatchKind Kind, string Pattern, string Smarthost)
{
    /// <summary><c>account=</c>: the client account selector to record, or empty.</summary>
    public string Account { get; init; } = "";

    /// <summary><c>tls=</c>.</summary>
    public RouteTls Tls { get; init; }

    /// <summary><c>messages-per-minute=</c>, or 0.</summary>
    public int MessagesPerMinute { get; init; }

    /// <summary><c>recipients-per-hour=</c>, or 0.</summary>
    public int RecipientsPerHour { get; init; }

    /// <summary><c>recipients-per-day=</c>, or 0.</summary>
    public int RecipientsPerDay { get; init; }

    /// <summary>Whether the rule sets any rate limit.</summary>
    public bool HasLimits => MessagesPerMinute > 0 || RecipientsPerHour > 0 || RecipientsPerDay > 0;

    /// <summary>Whether the rule matches a message from <paramref name="sender"/>, authenticated as <paramref name="user"/>, for <paramref name="recipient"/>.</summary>
    public bool Matches(string sender, string user, string recipient) => Kind switch
    {
        RouteMatchKind.Any => true,
        RouteMatchKind.RecipientDomain => DomainMatches(DomainOf(recipient)),
        RouteMatchKind.SenderDomain => DomainMatches(DomainOf(sender)),
        _ => user.Length > 0 && string.Equals(user, Pattern, StringComparison.OrdinalIgnoreCase),
    };

    private static string DomainOf(string address)
    {
        var at = address.LastIndexOf('@');
        return at < 0 ? "" : address[(at + 1)..];
    }

    private bool DomainMatches(string domain)
    {
        if (Pattern == "*")
        {
            return true;
        }

        if (Pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            return domain.EndsWith(Pattern[1..], StringComparison.OrdinalIgnoreCase);
        }

        return string.Equals(domain, Pattern, StringComparison.OrdinalIgnoreCase);
    }
}
