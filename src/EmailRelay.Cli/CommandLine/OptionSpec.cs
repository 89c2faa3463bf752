namespace EmailRelay.Cli.CommandLine;

/// <summary>One row of the <see cref="OptionTable"/>: everything known about one command-line option.</summary>
/// <param name="Name">The long name without dashes, e.g. <c>spool-dir</c>.</param>
/// <param name="ShortName">The short letter, or <c>null</c> when the option has none.</param>
/// <param name="Kind">Whether the option takes a value.</param>
/// <param name="Multiplicity">How often it may be given.</param>
/// <param name="Groups">E-MailRelay's help-section tags.</param>
/// <param name="ArgumentName">The value's name in help, e.g. <c>host:port</c>; <c>null</c> for flags.</param>
/// <param name="Default">The real default as shown in help, or <c>null</c>.</param>
/// <param name="Help">A one-line description.</param>
internal sealed record OptionSpec(
    string Name,
    char? ShortName,
    ArgumentKind Kind,
    OptionMultiplicity Multiplicity,
    OptionGroups Groups,
    string? ArgumentName,
    string? Default,
    string Help)
{
    /// <summary>The most times a <see cref="OptionMultiplicity.Counted"/> option may be given.</summary>
    public int MaxCount { get; init; } = 2;

    /// <summary>The value is a path (or program spec) in which a leading <c>@app</c> expands to the executable's directory.</summary>
    public bool IsPath { get; init; }

    /// <summary>Process-wide: read from the first unit only.</summary>
    public bool IsProcessWide { get; init; }

    /// <summary>Only meaningful on Windows; accepted elsewhere with a warning.</summary>
    public bool IsWindowsOnly { get; init; }

    /// <summary>Only meaningful on Unix (<c>--user</c>, <c>--localedir</c>); accepted on Windows with a warning.</summary>
    public bool IsUnixOnly { get; init; }

    /// <summary>Not listed by <c>--help</c>.</summary>
    public bool IsHidden => (Groups & OptionGroups.Hidden) != 0;

    /// <summary>Listed by plain <c>--help</c>.</summary>
    public bool IsBasic => (Groups & OptionGroups.Basic) != 0;

    /// <summary>The option as typed on the command line, e.g. <c>--spool-dir</c>.</summary>
    public string LongForm => "--" + Name;
}
