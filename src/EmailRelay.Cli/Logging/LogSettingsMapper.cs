using EmailRelay.Cli.CommandLine;
using EmailRelay.Cli.Hosting;
using EmailRelay.Hosting;

namespace EmailRelay.Cli.Logging;

/// <summary>Builds <see cref="LogSettings"/> from the process-wide logging options of the main unit.</summary>
internal static class LogSettingsMapper
{
    /// <summary>Maps the options; an unknown <c>--syslog</c> facility throws <see cref="ConfigurationException"/>.</summary>
    public static LogSettings Map(UnitOptions main, string startDirectory)
    {
        ArgumentNullException.ThrowIfNull(main);
        var formats = main.GetList("log-format");
        bool Has(string item) => formats.Any(f => string.Equals(f, item, StringComparison.OrdinalIgnoreCase));
        var enabled = main.IsSet("log");
        var syslogForced = main.IsSet("syslog");
        if (!LogSettings.TryParseFacility(syslogForced ? main.Get("syslog") : null, out var facility))
        {
            throw new ConfigurationException("invalid syslog facility: [" + main.Get("syslog") + "]");
        }

        return new LogSettings
        {
            Enabled = enabled,
            Verbosity = main.Count("verbose"),
            Debug = main.IsSet("debug"),
            Time = main.IsSet("log-time") || Has("time"),
            Unit = Has("unit"),
            Address = main.IsSet("log-address") || Has("address"),
            Port = Has("port"),
            MessageId = Has("msgid"),
            LogFile = main.Get("log-file") is { } file ? UnitOptionsMapper.ResolvePath(file, startDirectory) : null,
            Syslog = syslogForced || (enabled && !main.IsSet("no-syslog")),
            SyslogFacility = facility,
        };
    }
}
