namespace EmailRelay.Cli.CommandLine;

/// <summary>Expands <c>@app</c> at the start of a path to the executable's directory (reference §a).</summary>
internal static class PathExpansion
{
    private const string AppToken = "@app";

    /// <summary>Replaces a leading <c>@app</c> (alone, or followed by a slash) with <paramref name="executableDirectory"/>; anything else is returned as given.</summary>
    public static string ExpandApp(string value, string executableDirectory)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(executableDirectory);
        if (!value.StartsWith(AppToken, StringComparison.Ordinal))
        {
            return value;
        }

        var rest = value[AppToken.Length..];
        if (rest.Length > 0 && rest[0] != '/' && rest[0] != '\\')
        {
            return value;
        }

        return executableDirectory.TrimEnd('/', '\\') + rest;
    }

    /// <summary>Expands <c>@app</c> at the start of each comma-separated item (for repeatable program or file options).</summary>
    public static string ExpandAppInList(string value, string executableDirectory)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Contains(AppToken, StringComparison.Ordinal))
        {
            return value;
        }

        var items = value.Split(',');
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = ExpandApp(items[i], executableDirectory);
        }

        return string.Join(',', items);
    }
}
