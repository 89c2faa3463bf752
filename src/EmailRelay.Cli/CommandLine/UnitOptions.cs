using System.Globalization;

namespace EmailRelay.Cli.CommandLine;

/// <summary>
/// The options of one unit (one spool directory), keyed by long option name without dashes, after mode
/// expansion and <c>@app</c> expansion. Values are as given: defaults are not filled in (see
/// <see cref="OptionSpec.Default"/>). Asking for a name that is not in the <see cref="OptionTable"/> throws.
/// </summary>
internal sealed class UnitOptions
{
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _values;

    /// <summary>Creates the options of one unit from the values given per option (one entry per use).</summary>
    public UnitOptions(string name, IReadOnlyDictionary<string, IReadOnlyList<string>> values)
    {
        Name = name;
        _values = values;
    }

    /// <summary>The unit name: <c>""</c> for the first unit, otherwise the option prefix (<c>in</c> for <c>--in-spool-dir</c>).</summary>
    public string Name { get; }

    /// <summary>The long names of the options that are set, in no particular order.</summary>
    public IEnumerable<string> SetOptions => _values.Keys;

    /// <summary>Whether the option is set.</summary>
    public bool IsSet(string longName) => Values(longName).Count > 0;

    /// <summary>The value: <c>null</c> if not set, <c>""</c> for a flag, comma-joined for a "many" option.</summary>
    public string? Get(string longName)
    {
        var values = Values(longName);
        return values.Count == 0 ? null : string.Join(',', values);
    }

    /// <summary>How many times the option was given (for <c>--verbose</c>: 0, 1 or 2).</summary>
    public int Count(string longName) => Values(longName).Count;

    /// <summary>The value split on commas, trimmed, with empty entries dropped; empty if not set.</summary>
    public IReadOnlyList<string> GetList(string longName) =>
        Get(longName)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];

    /// <summary>The value as an integer, or <paramref name="defaultValue"/> if not set. Values were checked at parse time.</summary>
    public int GetInt(string longName, int defaultValue)
    {
        var value = Get(longName);
        return value is null ? defaultValue : int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>The value as a number of seconds, or <paramref name="defaultValue"/> if not set.</summary>
    public TimeSpan GetSeconds(string longName, TimeSpan defaultValue)
    {
        var value = Get(longName);
        return value is null ? defaultValue : TimeSpan.FromSeconds(long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture));
    }

    /// <summary>The switches of <c>--server-smtp-config</c> or <c>--client-smtp-config</c>.</summary>
    public SwitchSet GetSwitches(string longName) => SwitchSet.Parse(Get(longName), SwitchSet.KnownItemsFor(longName));

    private IReadOnlyList<string> Values(string longName)
    {
        _ = OptionTable.Get(longName);
        return _values.TryGetValue(longName, out var values) ? values : [];
    }
}
