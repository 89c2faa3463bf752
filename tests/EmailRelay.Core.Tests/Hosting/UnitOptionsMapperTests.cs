using EmailRelay.Cli.CommandLine;
using EmailRelay.Cli.Hosting;
using EmailRelay.Cli.Logging;
using EmailRelay.Hosting;
using EmailRelay.Net;
using EmailRelay.Testing;

namespace EmailRelay.Core.Tests.Hosting;

public class UnitOptionsMapperTests
{
    private static UnitOptions Options(params (string Name, string Value)[] values) =>
        new(string.Empty, values.GroupBy(v => v.Name).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(v => v.Value)]));

    [Fact]
    public void Relative_spool_directory_is_resolved_against_the_startup_directory()
    {
        using var dir = new TestDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "spool"));
        var warnings = new List<string>();
        var unit = UnitOptionsMapper.MapUnit(Options(("spool-dir", "spool"), ("port", "2525"), ("interface", "127.0.0.1")), dir.Path, "host.example", warnings);
        Assert.Equal(Path.Combine(dir.Path, "spool"), unit.SpoolDirectory);
        Assert.Equal("host.example", unit.Domain);
        Assert.False(unit.RemoteClients);
        Assert.Equal("127.0.0.1:2525", Assert.Single(unit.Listeners).DisplayText);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Missing_spool_directory_is_a_configuration_error()
    {
        using var dir = new TestDirectory();
        var ex = Assert.Throws<ConfigurationException>(() => UnitOptionsMapper.MapUnit(Options(("spool-dir", "nope")), dir.Path, "h", []));
        Assert.Contains(Path.Combine(dir.Path, "nope"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Services_follow_the_serving_options()
    {
        Assert.Equal([ListenService.Smtp], UnitOptionsMapper.Ports(Options()).Keys);
        Assert.Equal(25, UnitOptionsMapper.Ports(Options())[ListenService.Smtp]);
        Assert.Empty(UnitOptionsMapper.Ports(Options(("dont-serve", ""), ("pop", ""))));
        var popAdmin = UnitOptionsMapper.Ports(Options(("no-smtp", ""), ("pop", ""), ("admin", "10026")));
        Assert.Equal(110, popAdmin[ListenService.Pop]);
        Assert.Equal(10026, popAdmin[ListenService.Admin]);
        Assert.False(popAdmin.ContainsKey(ListenService.Smtp));
    }

    [Fact]
    public void Interface_errors_become_configuration_errors()
    {
        using var dir = new TestDirectory();
        Assert.Throws<ConfigurationException>(() => UnitOptionsMapper.MapUnit(Options(("spool-dir", dir.Path), ("interface", "client=1.2.3.4")), dir.Path, "h", []));
    }

    [Fact]
    public void Log_settings_follow_the_logging_options()
    {
        var s = LogSettingsMapper.Map(Options(("log", ""), ("verbose", ""), ("verbose", ""), ("log-time", ""), ("log-format", "unit,port"), ("log-file", "x.log")), "/start");
        Assert.True(s.Enabled && s.Time && s.Unit && s.Port && !s.Address && !s.MessageId);
        Assert.Equal(2, s.Verbosity);
        Assert.Equal("/start/x.log", s.LogFile);
        Assert.True(s.Syslog);
        Assert.False(LogSettingsMapper.Map(Options(("log", ""), ("no-syslog", "")), "/").Syslog);
        Assert.True(LogSettingsMapper.Map(Options(("log", ""), ("no-syslog", ""), ("syslog", "local3")), "/").Syslog);
        Assert.Equal(19, LogSettingsMapper.Map(Options(("syslog", "local3")), "/").SyslogFacility);
        Assert.False(LogSettingsMapper.Map(Options(), "/").Syslog);
        Assert.Throws<ConfigurationException>(() => LogSettingsMapper.Map(Options(("syslog", "bogus")), "/"));
    }
}
