namespace EmailRelay.Cli.CommandLine;

/// <summary>
/// The parsed value of <c>--server-smtp-config</c> or <c>--client-smtp-config</c>: a comma list of items,
/// each turned on by <c>name</c>, <c>+name</c> or <c>with-name</c> and off by <c>-name</c>, <c>noname</c>
/// or <c>without-name</c>. The last mention of an item wins.
/// </summary>
internal sealed class SwitchSet
{
    /// <summary>The items <c>--server-smtp-config</c> knows (reference §g, plus differences 7).</summary>
    public static IReadOnlyList<string> ServerItems { get; } =
        ["pipelining", "chunking", "smtputf8", "smtputf8strict", "strictparsing", "alabels", "linger", "bare-newline-reject", "bare-newline-keep"];

    /// <summary>The items <c>--client-smtp-config</c> knows (reference §i).</summary>
    public static IReadOnlyList<string> ClientItems { get; } =
        ["pipelining", "smtputf8strict", "eightbitstrict", "binarymimestrict", "linger"];

    private readonly Dictionary<string, bool> _items;

    private SwitchSet(Dictionary<string, bool> items, IReadOnlyList<string> unknownItems)
    {
        _items = items;
        UnknownItems = unknownItems;
    }

    /// <summary>An empty set: every item has its default.</summary>
    public static SwitchSet Empty { get; } = new(new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase), []);

    /// <summary>Items that were given but are not known, as written.</summary>
    public IReadOnlyList<string> UnknownItems { get; }

    /// <summary>Whether the item is switched on, or <paramref name="defaultValue"/> if it was not mentioned.</summary>
    public bool IsOn(string item, bool defaultValue) => _items.TryGetValue(item, out var on) ? on : defaultValue;

    /// <summary>The known item names for a <c>*-smtp-config</c> option.</summary>
    public static IReadOnlyList<string> KnownItemsFor(string optionName) => optionName switch
    {
        "server-smtp-config" => ServerItems,
        "client-smtp-config" => ClientItems,
        _ => throw new ArgumentException($"not a switch option: {optionName}", nameof(optionName)),
    };

    /// <summary>Parses a comma list against the known item names.</summary>
    public static SwitchSet Parse(string? value, IReadOnlyList<string> knownItems)
    {
        ArgumentNullException.ThrowIfNull(knownItems);
        var items = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        var unknown = new List<string>();
        if (value is null)
        {
            return new SwitchSet(items, unknown);
        }

        foreach (var raw in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (TryResolve(raw, knownItems, out var name, out var on))
            {
                items[name] = on;
            }
            else
            {
                unknown.Add(raw);
            }
        }

        return new SwitchSet(items, unknown);
    }

    private static bool TryResolve(string raw, IReadOnlyList<string> known, out string name, out bool on)
    {
        // Exact names first, so that an item could never be misread as a "no" prefix.
        if (IsKnown(raw, known, out name))
        {
            on = true;
            return true;
        }

        (string Prefix, bool On)[] forms = [("+", true), ("-", false), ("without-", false), ("with-", true), ("no", false)];
        foreach (var (prefix, value) in forms)
        {
            if (raw.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && IsKnown(raw[prefix.Length..], known, out name))
            {
                on = value;
                return true;
            }
        }

        on = false;
        return false;
    }

    private static bool IsKnown(string candidate, IReadOnlyList<string> known, out string name)
    {
        foreach (var item in known)
        {
            if (string.Equals(item, candidate, StringComparison.OrdinalIgnoreCase))
            {
                name = item;
                return true;
            }
        }

        name = candidate;
        return false;
    }
}
