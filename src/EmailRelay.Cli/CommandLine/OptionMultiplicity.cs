namespace EmailRelay.Cli.CommandLine;

/// <summary>How often an option may be given in one unit.</summary>
internal enum OptionMultiplicity
{
    /// <summary>Once; a second use is a "duplicate use" error.</summary>
    Single,

    /// <summary>Repeatable; the values are joined with commas.</summary>
    Many,

    /// <summary>Repeatable flag that counts (<c>--verbose</c>, at most <see cref="OptionSpec.MaxCount"/> times).</summary>
    Counted,

    /// <summary>Repeatable, but only the first value is used and a warning is given (<c>--pid-file</c>).</summary>
    FirstWins,
}
