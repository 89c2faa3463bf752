namespace EmailRelay.Cli.CommandLine;

/// <summary>
/// The parser's accumulator: every option given so far, per unit, in order; duplicate detection spans the
/// command line and the config file.
/// </summary>
internal sealed class ParseState
{
    private readonly string _executableDirectory;
    private readonly List<string> _unitOrder = [""];
    private readonly Dictionary<string, Dictionary<string, List<string>>> _values = new(StringComparer.Ordinal) { [""] = new(StringComparer.Ordinal) };
    private readonly Dictionary<string, string> _firstUseOfUnit = new(StringComparer.Ordinal);
    private readonly List<string> _warnings = [];

    /// <summary>Creates an empty state; <paramref name="executableDirectory"/> is what <c>@app</c> expands to.</summary>
    public ParseState(string executableDirectory)
    {
        _executableDirectory = executableDirectory;
    }

    /// <summary>Warnings found while scanning.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Adds warnings found outside the scan (the environment's).</summary>
    public void AddWarnings(IEnumerable<string> warnings) => _warnings.AddRange(warnings);

    /// <summary>The display form of an option in a unit: <c>--port</c>, or <c>--in-port</c> in unit <c>in</c>.</summary>
    public static string Display(string unit, string name) => unit.Length == 0 ? "--" + name : "--" + unit + "-" + name;

    /// <summary>Scans arguments, recording options; returns the non-option arguments.</summary>
    public IReadOnlyList<string> Scan(IReadOnlyList<string> args)
    {
        var nonOptions = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (string.Equals(arg, "--", StringComparison.Ordinal))
            {
                for (i++; i < args.Count; i++)
                {
                    nonOptions.Add(args[i]);
                }

                break;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                i = ScanLong(args, i);
            }
            else if (arg.Length > 1 && arg[0] == '-')
            {
                i = ScanShort(args, i);
            }
            else
            {
                nonOptions.Add(arg);
            }
        }

        return nonOptions;
    }

    private int ScanLong(IReadOnlyList<string> args, int index)
    {
        var arg = args[index];
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        var name = equals < 0 ? arg[2..] : arg[2..equals];
        string? value = equals < 0 ? null : arg[(equals + 1)..];
        var written = "--" + name;
        if (!TryResolveLong(name, out var unit, out var spec))
        {
            throw new CommandLineException($"invalid option: \"{written}\"");
        }

        if (value is null && spec.Kind == ArgumentKind.Required)
        {
            if (index + 1 >= args.Count)
            {
                throw new CommandLineException($"no value supplied for \"{written}\"");
            }

            value = args[++index];
        }

        Add(unit, spec, value, written);
        return index;
    }

    private int ScanShort(IReadOnlyList<string> args, int index)
    {
        var arg = args[index];
        for (var j = 1; j < arg.Length; j++)
        {
            var written = "-" + arg[j];
            var spec = OptionTable.Find(arg[j]) ?? throw new CommandLineException($"invalid option: \"{written}\"");
            string? value = null;
            if (spec.Kind == ArgumentKind.Required)
            {
                // A value-taking letter must end its bundle; it takes the next argument.
                if (j != arg.Length - 1 || index + 1 >= args.Count)
                {
                    throw new CommandLineException($"no value supplied for \"{written}\"");
                }

                value = args[++index];
            }

            Add("", spec, value, written);
        }

        return index;
    }

    /// <summary>A real option name always wins; otherwise the shortest prefix whose remainder is a real option names the unit.</summary>
    public static bool TryResolveLong(string name, out string unit, out OptionSpec spec)
    {
        unit = "";
        if (OptionTable.Find(name) is { } exact)
        {
            spec = exact;
            return true;
        }

        for (var dash = name.IndexOf('-', StringComparison.Ordinal); dash > 0; dash = name.IndexOf('-', dash + 1))
        {
            if (OptionTable.Find(name[(dash + 1)..]) is { } prefixed)
            {
                unit = name[..dash];
                spec = prefixed;
                return true;
            }
        }

        spec = null!; // not used when returning false
        return false;
    }

    private void Add(string unit, OptionSpec spec, string? value, string written)
    {
        if (spec.Kind == ArgumentKind.None && value is not null)
        {
            throw new CommandLineException($"cannot give a value with \"{written}\"");
        }

        value ??= "";
        if (spec.IsPath)
        {
            value = spec.Multiplicity == OptionMultiplicity.Many
                ? PathExpansion.ExpandAppInList(value, _executableDirectory)
                : PathExpansion.ExpandApp(value, _executableDirectory);
        }

        if (!_values.TryGetValue(unit, out var options))
        {
            options = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            _values.Add(unit, options);
            _unitOrder.Add(unit);
            _firstUseOfUnit.Add(unit, written);
        }

        var display = Display(unit, spec.Name);
        if (!options.TryGetValue(spec.Name, out var values))
        {
            options.Add(spec.Name, [value]);
            if (unit.Length > 0 && spec.IsProcessWide)
            {
                _warnings.Add($"the \"{display}\" option is ignored: process-wide options are read from the first unit only");
            }

            if (spec.IsWindowsOnly && !OperatingSystem.IsWindows())
            {
                _warnings.Add($"the \"{display}\" option is ignored: it only applies to the Windows user interface");
            }

            if (spec.IsUnixOnly && OperatingSystem.IsWindows())
            {
                _warnings.Add($"the \"{display}\" option is ignored: it only applies on Unix");
            }

            return;
        }

        switch (spec.Multiplicity)
        {
            case OptionMultiplicity.Many:
                values.Add(value);
                break;
            case OptionMultiplicity.Counted when values.Count < spec.MaxCount:
                values.Add(value);
                break;
            case OptionMultiplicity.FirstWins:
                _warnings.Add($"the \"{display}\" option was given more than once: using the first [{values[0]}] and ignoring [{value}]");
                break;
            default:
                throw new CommandLineException($"duplicate use of \"{display}\"");
        }
    }

    /// <summary>Every option given so far, as unit and long name.</summary>
    public IReadOnlySet<(string Unit, string Name)> GivenOptions() =>
        _values.SelectMany(u => u.Value.Keys.Select(name => (u.Key, name))).ToHashSet();

    /// <summary>
    /// Lays the options of <paramref name="layer"/> (the environment) over this state: an option in
    /// <paramref name="keep"/> (the command line's) stays as it is; any other option the layer gives replaces this
    /// state's values for it (the config file's) as a whole.
    /// </summary>
    public void Overlay(ParseState layer, IReadOnlySet<(string Unit, string Name)> keep)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(keep);
        _warnings.AddRange(layer._warnings);
        foreach (var unit in layer._unitOrder)
        {
            foreach (var (name, values) in layer._values[unit])
            {
                if (keep.Contains((unit, name)))
                {
                    continue;
                }

                if (!_values.TryGetValue(unit, out var options))
                {
                    options = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                    _values.Add(unit, options);
                    _unitOrder.Add(unit);
                    _firstUseOfUnit.Add(unit, layer._firstUseOfUnit[unit]);
                }

                options[name] = [.. values];
            }
        }
    }

    /// <summary>If <c>--help</c> or <c>--version</c> was given to the first unit, the text to show.</summary>
    public ShowText? TryShowText(RuntimeFacts runtime)
    {
        var main = _values[""];
        var verbose = main.ContainsKey("verbose");
        if (main.ContainsKey("help"))
        {
            return new ShowText(HelpText.Build(verbose));
        }

        return main.ContainsKey("version") ? new ShowText(VersionText.Build(verbose, runtime)) : null;
    }

    /// <summary>The options given explicitly to a unit (before mode expansion), as name and comma-joined value.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ExplicitOptions(string unit) =>
        [.. _values[unit].Select(kv => KeyValuePair.Create(kv.Key, string.Join(',', kv.Value)))];

    /// <summary>Checks that every named unit is declared by its <c>--&lt;name&gt;-spool-dir</c>, applies the mode shorthands, and builds the units.</summary>
    public IReadOnlyList<UnitOptions> BuildUnits()
    {
        var units = new List<UnitOptions>();
        foreach (var unit in _unitOrder)
        {
            var options = _values[unit];
            if (unit.Length > 0 && !options.ContainsKey("spool-dir"))
            {
                // E-MailRelay compat: a prefix is only a unit name once <name>-spool-dir declares it.
                throw new CommandLineException($"invalid option: \"{_firstUseOfUnit[unit]}\"");
            }

            var expanded = Expand(unit, options);
            units.Add(new UnitOptions(unit, expanded.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value, StringComparer.Ordinal)));
        }

        return units;
    }

    private static Dictionary<string, List<string>> Expand(string unit, Dictionary<string, List<string>> given)
    {
        var result = given.ToDictionary(kv => kv.Key, kv => new List<string>(kv.Value), StringComparer.Ordinal);
        string[] modes = ["as-client", "as-proxy", "as-server"];
        var used = modes.Where(given.ContainsKey).ToList();
        if (used.Count > 1)
        {
            throw new CommandLineException($"the {Display(unit, used[0])} and {Display(unit, used[1])} options cannot be used together");
        }

        if (used.Count == 0)
        {
            return result;
        }

        var mode = used[0];
        if (mode != "as-server" && given.ContainsKey("forward-to"))
        {
            throw new CommandLineException($"the {Display(unit, "forward-to")} option cannot be used with {Display(unit, mode)}");
        }

        string[] implied = mode switch
        {
            "as-server" => ["log", "close-stderr"],
            "as-proxy" => ["log", "close-stderr", "forward-on-disconnect"],
            _ => ["log", "no-syslog", "no-daemon", "dont-serve", "forward"],
        };
        foreach (var name in implied)
        {
            result.TryAdd(name, [""]);
        }

        if (mode != "as-server")
        {
            result["forward-to"] = [given[mode][0]];
        }

        return result;
    }
}
