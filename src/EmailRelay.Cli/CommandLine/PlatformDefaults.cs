namespace EmailRelay.Cli.CommandLine;

/// <summary>
/// What differs between the Unix and the Windows edition's command line (reference §a and §j "Windows"): the default
/// spool directory (<c>/var/spool/emailrelay</c>; <c>%ProgramData%\E-MailRelay\spool</c>), where the service's files
/// live (<c>%ProgramData%\E-MailRelay</c>: <c>emailrelay-start.bat</c>, <c>emailrelay.cfg</c>), and which options
/// <c>--help</c> lists: the Unix-only ones (<c>--user</c>, <c>--localedir</c>) only on Unix, the Windows-only ones
/// (<c>--hidden</c>, <c>--show</c>) only on Windows, and <c>--no-daemon</c> not on Windows (where it is declared
/// hidden), with the logging options describing the Event Log in place of syslog.
/// </summary>
/// <param name="IsWindows">The Windows edition.</param>
/// <param name="SpoolDirectory">The spool directory when <c>--spool-dir</c> is not given.</param>
/// <param name="ConfigDirectory">Where the service's start file and configuration are.</param>
internal sealed record PlatformDefaults(bool IsWindows, string SpoolDirectory, string ConfigDirectory)
{
    /// <summary>The Unix values.</summary>
    public static PlatformDefaults Unix { get; } = new(false, "/var/spool/emailrelay", "/etc");

    /// <summary>The values of the running system.</summary>
    public static PlatformDefaults Current { get; } = OperatingSystem.IsWindows()
        ? Windows(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData))
        : Unix;

    /// <summary>The Windows values for a <c>%ProgramData%</c> directory.</summary>
    public static PlatformDefaults Windows(string programData)
    {
        ArgumentNullException.ThrowIfNull(programData);
        var root = (programData.Length == 0 ? @"C:\ProgramData" : programData.TrimEnd('\\')) + @"\E-MailRelay";
        return new PlatformDefaults(true, root + @"\spool", root);
    }

    /// <summary>Whether <c>--help --verbose</c> lists <paramref name="option"/> here.</summary>
    public bool Lists(OptionSpec option)
    {
        ArgumentNullException.ThrowIfNull(option);
        return IsWindows
            ? !option.IsUnixOnly && option.Name != "no-daemon" && (!option.IsHidden || option.IsWindowsOnly)
            : !option.IsHidden;
    }

    /// <summary>The option's help text here.</summary>
    public string Help(OptionSpec option)
    {
        ArgumentNullException.ThrowIfNull(option);
        if (!IsWindows)
        {
            return option.Help;
        }

        return option.Name switch
        {
            "log" => "logs to stderr and the Event Log (source \"E-MailRelay\")",
            "no-syslog" => "does not log to the Event Log",
            "syslog" => "forces Event Log logging on; the facility is checked as on Unix and otherwise unused",
            "hidden" => "no console window and no message boxes",
            "show" => "the user interface style: hidden, popup, window, window,tray or tray (this edition has a console window only, which hidden hides)",
            _ => option.Help,
        };
    }

    /// <summary>The option's default as help shows it here.</summary>
    public string? Default(OptionSpec option)
    {
        ArgumentNullException.ThrowIfNull(option);
        return option.Name == "spool-dir" ? SpoolDirectory : option.Default;
    }
}
