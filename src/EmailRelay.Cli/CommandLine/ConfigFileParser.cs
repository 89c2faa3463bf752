namespace EmailRelay.Cli.CommandLine;

/// <summary>
/// Turns a config file's text into <c>--key</c> / <c>--key=value</c> arguments (reference §h "Config file"):
/// the key is the first token, ended by a space, tab or <c>=</c>; the rest of the line, trimmed on the right,
/// is the value, with one pair of surrounding double quotes removed; <c>#</c> starts a comment line.
/// </summary>
internal static class ConfigFileParser
{
    /// <summary>Converts the text of the file at <paramref name="path"/> (used in messages) to arguments.</summary>
    public static IReadOnlyList<string> ToArguments(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new CommandLineException($"invalid config file [{path}]: it contains a NUL character");
        }

        var arguments = new List<string>();
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim(' ', '\t', '\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var end = line.AsSpan().IndexOfAny(" \t=");
            if (end < 0)
            {
                arguments.Add("--" + line);
                continue;
            }

            var key = line[..end];
            var rest = line[end..].TrimStart(' ', '\t');
            if (rest.StartsWith('='))
            {
                rest = rest[1..].TrimStart(' ', '\t');
            }

            if (rest.Length >= 2 && rest[0] == '"' && rest[^1] == '"')
            {
                rest = rest[1..^1];
            }

            // The line is trimmed, so something follows the key: a value, possibly empty ("key=" or key "").
            arguments.Add("--" + key + "=" + rest);
        }

        return arguments;
    }
}
