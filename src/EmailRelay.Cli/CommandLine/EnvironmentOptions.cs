using System.Buffers;
using System.Collections.Frozen;

namespace EmailRelay.Cli.CommandLine;

/// <summary>
/// Environment configuration (containers): every long option, unit-prefixed ones included, can also be given as the
/// variable <c>EMAILRELAY_&lt;OPTION&gt;</c>, the long name in upper case with dashes as underscores
/// (<c>--forward-to</c> is <c>EMAILRELAY_FORWARD_TO</c>, <c>--in-spool-dir</c> is <c>EMAILRELAY_IN_SPOOL_DIR</c>).
/// <c>EMAILRELAY_&lt;OPTION&gt;_FILE</c> names a file whose text (one trailing line ending removed) is the value, for
/// secrets such as <c>--client-auth=plain:...</c> kept in container secret files; giving both forms is an error.
/// A flag's value is empty, <c>1</c>, <c>yes</c>, <c>true</c> or <c>on</c> to set it and <c>0</c>, <c>no</c>,
/// <c>false</c> or <c>off</c> to leave it unset; <c>EMAILRELAY_VERBOSE</c> also takes a count. A variable that
/// names no option is ignored with a warning, except the packaging scripts' own variables.
/// Precedence (<see cref="CommandLineParser"/>): the command line, then the environment, then the config file.
/// </summary>
internal static class EnvironmentOptions
{
    /// <summary>The prefix of every option variable.</summary>
    public const string Prefix = "EMAILRELAY_";

    /// <summary>The suffix of a variable naming a file that holds the value.</summary>
    public const string FileSuffix = "_FILE";

    /// <summary>Variables of the init script, the packaging and the daemon start-up, which are not options.</summary>
    private static readonly FrozenSet<string> s_notOptions = FrozenSet.Create(
        StringComparer.Ordinal,
        "EMAILRELAY_DAEMON_CHILD", "EMAILRELAY_BIN", "EMAILRELAY_CONF", "EMAILRELAY_RUN", "EMAILRELAY_SPOOL",
        "EMAILRELAY_OPTIONS", "EMAILRELAY_DEFAULT", "EMAILRELAY_ENABLED");

    private static readonly SearchValues<char> s_nameCharacters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

    private static readonly FrozenSet<string> s_true = FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "", "1", "yes", "true", "on");
    private static readonly FrozenSet<string> s_false = FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "0", "no", "false", "off");

    /// <summary>The variable for a long option name (with any unit prefix): <c>forward-to</c> gives <c>EMAILRELAY_FORWARD_TO</c>.</summary>
    public static string VariableName(string longName)
    {
        ArgumentNullException.ThrowIfNull(longName);
        return Prefix + longName.ToUpperInvariant().Replace('-', '_');
    }

    /// <summary>
    /// The options the variables give, one entry per variable in name order: the variable and the arguments it
    /// stands for (empty for a flag set false). <paramref name="readFile"/> reads a <c>_FILE</c> variable's file.
    /// </summary>
    public static IReadOnlyList<(string Variable, IReadOnlyList<string> Arguments)> ToArguments(
        IReadOnlyDictionary<string, string> variables, Func<string, string> readFile, ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(variables);
        ArgumentNullException.ThrowIfNull(readFile);
        ArgumentNullException.ThrowIfNull(warnings);
        var result = new List<(string, IReadOnlyList<string>)>();
        foreach (var variable in variables.Keys.Where(IsCandidate).Order(StringComparer.Ordinal))
        {
            if (s_notOptions.Contains(variable))
            {
                continue;
            }

            if (OptionOf(variable) is { } name)
            {
                if (variables.ContainsKey(variable + FileSuffix) && OptionOf(variable + FileSuffix) is null)
                {
                    throw new CommandLineException($"both {variable} and {variable}{FileSuffix} are set");
                }

                result.Add((variable, Arguments(variable, name, variables[variable])));
            }
            else if (variable.EndsWith(FileSuffix, StringComparison.Ordinal) && OptionOf(variable[..^FileSuffix.Length]) is { } fileName)
            {
                result.Add((variable, Arguments(variable, fileName, ReadValue(variable, variables[variable], readFile))));
            }
            else
            {
                warnings.Add($"the environment variable {variable} is ignored: it names no option");
            }
        }

        return result;
    }

    private static bool IsCandidate(string variable) =>
        variable.Length > Prefix.Length && variable.StartsWith(Prefix, StringComparison.Ordinal)
        && variable.AsSpan(Prefix.Length).IndexOfAnyExcept(s_nameCharacters) < 0;

    /// <summary>The long name (with any unit prefix) a variable stands for, or <c>null</c>.</summary>
    private static string? OptionOf(string variable)
    {
        var name = variable[Prefix.Length..].ToLowerInvariant().Replace('_', '-');
        return ParseState.TryResolveLong(name, out _, out _) ? name : null;
    }

    private static string ReadValue(string variable, string path, Func<string, string> readFile)
    {
        string text;
        try
        {
            text = readFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new CommandLineException($"cannot read the file [{path}] named by {variable}: {e.Message}", e);
        }

        return text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
    }

    private static string[] Arguments(string variable, string name, string value)
    {
        ParseState.TryResolveLong(name, out _, out var spec);
        switch (spec.Kind)
        {
            case ArgumentKind.None when spec.Multiplicity == OptionMultiplicity.Counted && int.TryParse(value, out var count) && count > 1:
                return [.. Enumerable.Repeat("--" + name, count)];
            case ArgumentKind.None when s_true.Contains(value):
                return ["--" + name];
            case ArgumentKind.None when s_false.Contains(value):
                return [];
            case ArgumentKind.None:
                throw new CommandLineException($"invalid value for {variable}: \"{value}\" (use 1 or 0)");
            case ArgumentKind.Optional when value.Length == 0:
                return ["--" + name];
            default:
                return ["--" + name + "=" + value];
        }
    }
}
