using System.Text;

namespace EmailRelay.Cli.CommandLine;

/// <summary>Builds <c>--help</c> (the basic options) and <c>--help --verbose</c> (every non-hidden option, by section) from the <see cref="OptionTable"/>.</summary>
internal static class HelpText
{
    /// <summary>The help sections in display order; an option is listed under the first one whose tag it carries.</summary>
    private static readonly (OptionGroups Group, string Title)[] s_sections =
    [
        (OptionGroups.Tls, "TLS options"),
        (OptionGroups.Auth, "Authentication options"),
        (OptionGroups.Admin, "Admin options"),
        (OptionGroups.Pop, "POP server options"),
        (OptionGroups.Logging, "Logging options"),
        (OptionGroups.Client, "SMTP client options"),
        (OptionGroups.Server, "SMTP server options"),
        (OptionGroups.Process, "Process options"),
        (OptionGroups.Basic, "Basic options"),
    ];

    private static readonly OptionGroups[] s_displayOrder =
    [
        OptionGroups.Basic, OptionGroups.Server, OptionGroups.Client, OptionGroups.Pop, OptionGroups.Admin,
        OptionGroups.Auth, OptionGroups.Tls, OptionGroups.Process, OptionGroups.Logging,
    ];

    /// <summary>The section an option is listed under by <c>--help --verbose</c>.</summary>
    public static OptionGroups SectionOf(OptionSpec option)
    {
        ArgumentNullException.ThrowIfNull(option);
        foreach (var (group, _) in s_sections)
        {
            if ((option.Groups & group) != 0)
            {
                return group;
            }
        }

        return OptionGroups.Basic;
    }

    /// <summary>The help text of the running system, ending with a newline.</summary>
    public static string Build(bool verbose) => Build(verbose, PlatformDefaults.Current);

    /// <summary>The help text of the edition <paramref name="platform"/> describes, ending with a newline.</summary>
    public static string Build(bool verbose, PlatformDefaults platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        var text = new StringBuilder();
        text.Append("usage: ").Append(CommandLineParser.ProgramName).Append(" [<option> [<option> ...]] [<config-file>]\n");
        if (!verbose)
        {
            text.Append('\n');
            var basic = OptionTable.All.Where(o => o.IsBasic && platform.Lists(o)).ToList();
            AppendOptions(text, basic, Width(basic), platform);
            text.Append("\nFor complete usage information run \"").Append(CommandLineParser.ProgramName).Append(" --help --verbose\"\n");
            return text.ToString();
        }

        var width = Width(OptionTable.All.Where(platform.Lists));
        foreach (var group in s_displayOrder)
        {
            var options = OptionTable.All.Where(o => platform.Lists(o) && SectionOf(o) == group).ToList();
            if (options.Count == 0)
            {
                continue;
            }

            var title = s_sections.First(s => s.Group == group).Title;
            text.Append('\n').Append(title).Append('\n');
            AppendOptions(text, options, width, platform);
        }

        text.Append("\nAny option can be given a unit prefix (--<name>-spool-dir declares unit <name>).\n");
        text.Append("The last argument may be a config file holding one option per line, without the dashes.\n");
        text.Append("Any long option can also be given as the environment variable EMAILRELAY_<OPTION>, upper case with\n");
        text.Append("dashes as underscores (EMAILRELAY_FORWARD_TO=host:port; a flag takes 1 or 0), and EMAILRELAY_<OPTION>_FILE\n");
        text.Append("reads the value from a file (for secrets). The command line wins over the environment, which wins over\n");
        text.Append("the config file.\n");
        return text.ToString();
    }

    /// <summary>The help line for one option, without indentation or padding: <c>-p, --port &lt;port&gt;</c>.</summary>
    public static string Synopsis(OptionSpec option)
    {
        ArgumentNullException.ThrowIfNull(option);
        var shortPart = option.ShortName is { } c ? $"-{c}, " : "    ";
        var argument = option.Kind switch
        {
            ArgumentKind.Required => $" <{option.ArgumentName}>",
            ArgumentKind.Optional => $"[=<{option.ArgumentName}>]",
            _ => "",
        };
        return shortPart + option.LongForm + argument;
    }

    /// <summary>The description for one option, with its default when it has one.</summary>
    public static string Description(OptionSpec option) => Description(option, PlatformDefaults.Current);

    /// <summary>The description for one option in the edition <paramref name="platform"/> describes.</summary>
    public static string Description(OptionSpec option, PlatformDefaults platform)
    {
        ArgumentNullException.ThrowIfNull(option);
        ArgumentNullException.ThrowIfNull(platform);
        var help = platform.Help(option);
        return platform.Default(option) is { } value ? $"{help} (default: {value})" : help;
    }

    private static int Width(IEnumerable<OptionSpec> options) => options.Max(o => Synopsis(o).Length) + 2;

    private static void AppendOptions(StringBuilder text, IEnumerable<OptionSpec> options, int width, PlatformDefaults platform)
    {
        foreach (var option in options)
        {
            text.Append("  ").Append(Synopsis(option).PadRight(width)).Append(Description(option, platform)).Append('\n');
        }
    }
}
