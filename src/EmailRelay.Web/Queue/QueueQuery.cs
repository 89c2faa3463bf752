namespace EmailRelay.Web.Queue;

/// <summary>
/// A queue listing request: the filters (state name, sender and recipient substrings, case-insensitive; age bounds)
/// and the page (1-based, at most <see cref="MaxPageSize"/> rows). Parsed from the query string by <see cref="Parse"/>.
/// </summary>
internal sealed record QueueQuery
{
    /// <summary>The largest page.</summary>
    public const int MaxPageSize = 500;

    /// <summary><c>queued</c>, <c>deferred</c>, <c>in-flight</c>, <c>failed</c>, or null for all.</summary>
    public string? State { get; init; }

    /// <summary>A substring of the sender, or null.</summary>
    public string? Sender { get; init; }

    /// <summary>A substring of any recipient, or null.</summary>
    public string? Recipient { get; init; }

    /// <summary>Only messages at least this old.</summary>
    public TimeSpan? MinAge { get; init; }

    /// <summary>Only messages at most this old.</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>The page number, from 1.</summary>
    public int Page { get; init; } = 1;

    /// <summary>Rows per page.</summary>
    public int PageSize { get; init; } = 50;

    /// <summary>Parses the query parameters <c>state</c>, <c>sender</c>, <c>recipient</c>, <c>min_age</c>, <c>max_age</c> (seconds), <c>page</c>, <c>page_size</c>; null with <paramref name="error"/> when one is invalid.</summary>
    public static QueueQuery? Parse(Func<string, string?> get, out string error)
    {
        ArgumentNullException.ThrowIfNull(get);
        error = "";
        var state = get("state") is { Length: > 0 } s ? s.ToLowerInvariant() : null;
        if (state is not null and not "queued" and not "deferred" and not "in-flight" and not "failed" and not "all")
        {
            error = "state must be queued, deferred, in-flight, failed or all";
            return null;
        }

        if (!TryInt(get("page"), 1, 1, int.MaxValue, out int page) || !TryInt(get("page_size"), 50, 1, MaxPageSize, out int size))
        {
            error = "page must be 1 or more and page_size 1 to " + MaxPageSize;
            return null;
        }

        if (!TryInt(get("min_age"), -1, 0, int.MaxValue, out int minAge) || !TryInt(get("max_age"), -1, 0, int.MaxValue, out int maxAge))
        {
            error = "min_age and max_age are seconds";
            return null;
        }

        return new QueueQuery
        {
            State = state == "all" ? null : state,
            Sender = get("sender") is { Length: > 0 } from ? from : null,
            Recipient = get("recipient") is { Length: > 0 } to ? to : null,
            MinAge = minAge >= 0 ? TimeSpan.FromSeconds(minAge) : null,
            MaxAge = maxAge >= 0 ? TimeSpan.FromSeconds(maxAge) : null,
            Page = page,
            PageSize = size,
        };
    }

    /// <summary>True if <paramref name="entry"/> passes every filter at <paramref name="now"/>.</summary>
    public bool Matches(IndexEntry entry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (State is not null && !string.Equals(entry.StateName, State, StringComparison.Ordinal))
        {
            return false;
        }

        if (Sender is not null && !entry.From.Contains(Sender, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (Recipient is not null && !Array.Exists(entry.To, t => t.Contains(Recipient, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        var age = now - entry.Received;
        return (MinAge is not { } min || age >= min) && (MaxAge is not { } max || age <= max);
    }

    private static bool TryInt(string? text, int fallback, int min, int max, out int value)
    {
        value = fallback;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }
}
