namespace EmailRelay.Cli.CommandLine;

/// <summary>
/// Parses <c>emailrelay [options] [config-file]</c> (reference §a): long and short options, bundles, unit
/// prefixes, the config file, the <c>EMAILRELAY_*</c> environment variables (<see cref="EnvironmentOptions"/>), mode
/// shorthands and the startup consistency checks. Precedence: an option on the command line wins over the same
/// option in the environment, which wins over the config file; the command line and the config file together are
/// E-MailRelay's one option set, where a repeated single-valued option is the "duplicate use" error.
/// Pure apart from <see cref="CommandLineEnvironment.ReadConfigFile"/>.
/// </summary>
internal static class CommandLineParser
{
    /// <summary>The program name used in messages.</summary>
    public const string ProgramName = "emailrelay";

    /// <summary>Parses and checks the arguments (without the program name).</summary>
    public static ParseOutcome Parse(IReadOnlyList<string> args, CommandLineEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        try
        {
            return ParseOrThrow(args, environment);
        }
        catch (CommandLineException e)
        {
            var text = $"{ProgramName}: error: {e.Message}\n";
            if (e.SuggestHelp)
            {
                text += $"{ProgramName}: try \"{ProgramName} --help --verbose\"\n";
            }

            return new ParseFailure(text, 1);
        }
    }

    private static ParseOutcome ParseOrThrow(IReadOnlyList<string> args, CommandLineEnvironment environment)
    {
        var state = new ParseState(environment.ExecutableDirectory);
        var nonOptions = state.Scan(args);
        if (nonOptions.Count > 1)
        {
            throw new CommandLineException($"too many non-option arguments: \"{nonOptions[1]}\"");
        }

        if (state.TryShowText(environment.Runtime) is { } early)
        {
            return early;
        }

        var commandLine = state.GivenOptions();
        string? configFile = null;
        if (nonOptions.Count == 1)
        {
            configFile = PathExpansion.ExpandApp(nonOptions[0], environment.ExecutableDirectory);
            string text;
            try
            {
                text = environment.ReadConfigFile(configFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                throw new CommandLineException($"cannot read config file [{configFile}]: {e.Message}", e);
            }

            var fileArgs = ConfigFileParser.ToArguments(text, configFile);
            if (state.Scan(fileArgs).Count > 0)
            {
                throw new CommandLineException($"invalid config file [{configFile}]");
            }

            if (state.TryShowText(environment.Runtime) is { } late)
            {
                return late;
            }
        }

        state.Overlay(ScanEnvironment(environment), commandLine);
        var units = state.BuildUnits();
        var warnings = new List<string>(state.Warnings);
        foreach (var unit in units)
        {
            OptionChecks.Check(unit, isFirstUnit: unit.Name.Length == 0, warnings);
        }

        return new RunRequest(new RelayCommandLine(units, configFile), warnings);
    }

    private static ParseState ScanEnvironment(CommandLineEnvironment environment)
    {
        var layer = new ParseState(environment.ExecutableDirectory);
        var warnings = new List<string>();
        foreach (var (variable, arguments) in EnvironmentOptions.ToArguments(environment.Variables, environment.ReadConfigFile, warnings))
        {
            try
            {
                layer.Scan(arguments);
            }
            catch (CommandLineException e)
            {
                throw new CommandLineException($"environment variable {variable}: {e.Message}", e);
            }
        }

        layer.AddWarnings(warnings);
        return layer;
    }
}
