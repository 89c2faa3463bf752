using EmailRelay.Cli.Logging;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Core.Tests.Logging;

public class LogSettingsTests
{
    [Theory]
    // log, verbosity, debug, level, shown
    [InlineData(false, 0, false, LogLevel.Error, true)]
    [InlineData(false, 0, false, LogLevel.Critical, true)]
    [InlineData(false, 0, false, LogLevel.Warning, false)]
    [InlineData(false, 0, false, LogLevel.Information, false)]
    [InlineData(true, 0, false, LogLevel.Warning, true)]
    [InlineData(true, 0, false, LogLevel.Information, true)]
    [InlineData(true, 0, false, LogLevel.Debug, false)]
    [InlineData(true, 1, false, LogLevel.Debug, true)]
    [InlineData(true, 1, false, LogLevel.Trace, false)]
    [InlineData(true, 2, false, LogLevel.Trace, true)]
    [InlineData(true, 0, true, LogLevel.Trace, true)]
    [InlineData(false, 2, true, LogLevel.Trace, false)]
    [InlineData(true, 2, true, LogLevel.None, false)]
    public void Level_is_shown_per_the_reference_table(bool log, int verbosity, bool debug, LogLevel level, bool shown)
    {
        var settings = new LogSettings { Enabled = log, Verbosity = verbosity, Debug = debug };
        Assert.Equal(shown, settings.IsEnabled(level));
    }

    [Theory]
    [InlineData(null, 2)]
    [InlineData("", 2)]
    [InlineData("mail", 2)]
    [InlineData("user", 1)]
    [InlineData("daemon", 3)]
    [InlineData("local0", 16)]
    [InlineData("local7", 23)]
    public void Syslog_facility_names_map_to_codes(string? name, int code)
    {
        Assert.True(LogSettings.TryParseFacility(name, out var facility));
        Assert.Equal(code, facility);
    }

    [Theory]
    [InlineData("local8")]
    [InlineData("auth")]
    [InlineData("MAIL ")]
    public void Unknown_syslog_facility_is_rejected(string name)
    {
        Assert.False(LogSettings.TryParseFacility(name, out _));
    }
}
