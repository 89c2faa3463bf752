using Microsoft.Extensions.Logging;

namespace EmailRelay.Cli.Logging;

/// <summary>
/// The logging options of reference §k, resolved. Level mapping: <see cref="LogLevel.Information"/> is
/// E-MailRelay's summary info (<c>--log</c>), <see cref="LogLevel.Debug"/> its verbose info (<c>-v</c>, printed
/// as <c>info</c>), <see cref="LogLevel.Trace"/> the "more verbose" level (<c>-v -v</c>, printed as <c>info</c>, or
/// <c>debug</c> with <c>--debug</c>). Errors are always printed; everything else needs <c>--log</c>.
/// </summary>
internal sealed record LogSettings
{
    /// <summary>The program name that starts each line.</summary>
    public string ProgramName { get; init; } = "emailrelay";

    /// <summary><c>--log</c>: summary info and warnings.</summary>
    public bool Enabled { get; init; }

    /// <summary>How many times <c>--verbose</c> was given.</summary>
    public int Verbosity { get; init; }

    /// <summary><c>--debug</c>.</summary>
    public bool Debug { get; init; }

    /// <summary><c>--log-time</c> / <c>--log-format=time</c>.</summary>
    public bool Time { get; init; }

    /// <summary><c>--log-format=unit</c>.</summary>
    public bool Unit { get; init; }

    /// <summary><c>--log-address</c> / <c>--log-format=address</c>.</summary>
    public bool Address { get; init; }

    /// <summary><c>--log-format=port</c> (implies the address).</summary>
    public bool Port { get; init; }

    /// <summary><c>--log-format=msgid</c>.</summary>
    public bool MessageId { get; init; }

    /// <summary><c>--log-file</c> as an absolute path, with <c>%d</c>/<c>%h</c> unexpanded; null for stderr.</summary>
    public string? LogFile { get; init; }

    /// <summary>True to send lines to syslog as well.</summary>
    public bool Syslog { get; init; }

    /// <summary>The syslog facility code (mail = 2).</summary>
    public int SyslogFacility { get; init; } = 2;

    /// <summary>True if a line at this level is printed.</summary>
    public bool IsEnabled(LogLevel level) => level switch
    {
        LogLevel.Error or LogLevel.Critical => true,
        LogLevel.Warning or LogLevel.Information => Enabled,
        LogLevel.Debug => Enabled && (Verbosity >= 1 || Debug),
        LogLevel.Trace => Enabled && (Verbosity >= 2 || Debug),
        _ => false,
    };

    /// <summary>E-MailRelay's level word for a level.</summary>
    public string LevelText(LogLevel level) => level switch
    {
        LogLevel.Error or LogLevel.Critical => "error",
        LogLevel.Warning => "warning",
        LogLevel.Trace when Debug => "debug",
        _ => "info",
    };

    /// <summary>Parses a <c>--syslog</c> facility name: <c>mail</c>, <c>user</c>, <c>daemon</c> or <c>local0</c>..<c>local7</c>.</summary>
    public static bool TryParseFacility(string? name, out int facility)
    {
        facility = name switch
        {
            null or "" or "mail" => 2,
            "user" => 1,
            "daemon" => 3,
            "local0" => 16,
            "local1" => 17,
            "local2" => 18,
            "local3" => 19,
            "local4" => 20,
            "local5" => 21,
            "local6" => 22,
            "local7" => 23,
            _ => -1,
        };
        return facility >= 0;
    }
}
