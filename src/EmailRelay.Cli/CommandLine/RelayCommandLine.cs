namespace EmailRelay.Cli.CommandLine;

/// <summary>The parsed and checked command line: one <see cref="UnitOptions"/> per unit, the first unit first.</summary>
internal sealed class RelayCommandLine
{
    /// <summary>Creates the result; <paramref name="units"/> must hold at least the first (unnamed) unit.</summary>
    public RelayCommandLine(IReadOnlyList<UnitOptions> units, string? configFile)
    {
        ArgumentOutOfRangeException.ThrowIfZero(units.Count);
        Units = units;
        ConfigFile = configFile;
    }

    /// <summary>Every unit; <c>Units[0]</c> is the unnamed first unit.</summary>
    public IReadOnlyList<UnitOptions> Units { get; }

    /// <summary>The first unit, which also holds the process-wide options (logging, daemon, pid file, user).</summary>
    public UnitOptions Main => Units[0];

    /// <summary>The config file path as given (after <c>@app</c> expansion), or <c>null</c>.</summary>
    public string? ConfigFile { get; }
}
