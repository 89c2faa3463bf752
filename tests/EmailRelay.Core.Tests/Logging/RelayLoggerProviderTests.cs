using System.Net;
using System.Net.Sockets;
using System.Text;
using EmailRelay.Cli.Logging;
using EmailRelay.Diagnostics;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Logging;

public class RelayLoggerProviderTests
{
    private static FakeTimeProvider Clock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 23, 59, 59, 900, TimeSpan.Zero));
        clock.SetLocalTimeZone(TimeZoneInfo.Utc);
        return clock;
    }

    [Fact]
    public void Lines_go_to_stderr_with_connection_context_from_the_scope()
    {
        var stderr = new StringWriter();
        using var provider = new RelayLoggerProvider(new LogSettings { Enabled = true, Time = true, Address = true }, Clock(), stderr, null);
        var logger = provider.CreateLogger("x");
        logger.LogInformation("outside");
        using (logger.BeginScope(new ConnectionLogScope(string.Empty, new IPEndPoint(IPAddress.Loopback, 1000), 7)))
        {
            provider.CreateLogger("other").LogWarning("inside");
        }

        Assert.Equal(
            "emailrelay: 20261124.235959.900: info: outside\n" +
            "emailrelay: 20261124.235959.900: warning: 127.0.0.1; inside\n",
            stderr.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Without_log_only_errors_are_printed()
    {
        var stderr = new StringWriter();
        using var provider = new RelayLoggerProvider(new LogSettings(), Clock(), stderr, null);
        var logger = provider.CreateLogger("x");
        logger.LogInformation("no");
        logger.LogWarning("no");
        logger.LogError("yes");
        Assert.Equal("emailrelay: error: yes\n", stderr.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Close_stderr_stops_stderr_output()
    {
        var stderr = new StringWriter();
        using var provider = new RelayLoggerProvider(new LogSettings { Enabled = true }, Clock(), stderr, null);
        var logger = provider.CreateLogger("x");
        logger.LogInformation("before");
        provider.CloseStderr();
        logger.LogError("after");
        Assert.Equal("emailrelay: info: before\n", stderr.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Log_file_is_appended_and_rotates_with_day_and_hour_in_the_name()
    {
        using var dir = new TestDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "log-20261124-23.txt"), "old\n");
        var clock = Clock();
        var stderr = new StringWriter();
        var settings = new LogSettings { Enabled = true, LogFile = Path.Combine(dir.Path, "log-%d-%h.txt") };
        using (var provider = new RelayLoggerProvider(settings, clock, stderr, null))
        {
            var logger = provider.CreateLogger("x");
            logger.LogInformation("one");
            clock.Advance(TimeSpan.FromSeconds(1));
            logger.LogInformation("two");
            provider.CloseStderr();
            logger.LogInformation("three");
        }

        Assert.Equal(string.Empty, stderr.ToString());
        Assert.Equal("old\nemailrelay: info: one\n", File.ReadAllText(Path.Combine(dir.Path, "log-20261124-23.txt")));
        Assert.Equal("emailrelay: info: two\nemailrelay: info: three\n", File.ReadAllText(Path.Combine(dir.Path, "log-20261125-00.txt")));
    }

    [Fact]
    public void Fatal_error_with_a_log_file_also_reaches_stderr()
    {
        using var dir = new TestDirectory();
        var stderr = new StringWriter();
        var settings = new LogSettings { LogFile = Path.Combine(dir.Path, "log") };
        using (var provider = new RelayLoggerProvider(settings, Clock(), stderr, null))
        {
            provider.WriteFatal("bad");
        }

        Assert.Equal("emailrelay: error: bad\n", stderr.ToString().ReplaceLineEndings("\n"));
        Assert.Equal("emailrelay: error: bad\n", File.ReadAllText(Path.Combine(dir.Path, "log")));
    }

    [Fact]
    public void Syslog_gets_rfc3164_datagrams_with_facility_and_severity()
    {
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, "log.s");
        using var server = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(path));
        var syslog = new SyslogWriter(2, "emailrelay", 42, path);
        using (var provider = new RelayLoggerProvider(new LogSettings { Enabled = true, Address = true }, Clock(), new StringWriter(), syslog))
        {
            var logger = provider.CreateLogger("x");
            using (logger.BeginScope(new ConnectionLogScope(string.Empty, new IPEndPoint(IPAddress.Loopback, 1), 1)))
            {
                logger.LogWarning("failed authentication");
            }
        }

        var buffer = new byte[1000];
        var n = server.Receive(buffer);
        Assert.Equal("<20>Nov 24 23:59:59 emailrelay[42]: warning: 127.0.0.1; failed authentication", Encoding.UTF8.GetString(buffer, 0, n));
    }

    [Fact]
    public void Missing_syslog_socket_is_tolerated()
    {
        var syslog = new SyslogWriter(2, "emailrelay", 42, "/nonexistent/dev/log");
        syslog.Write(DateTimeOffset.UnixEpoch, LogLevel.Error, "x");
        Assert.Equal("<19>Jan  1 00:00:00 emailrelay[42]: x", syslog.Format(DateTimeOffset.UnixEpoch, LogLevel.Error, "x"));
    }

    [Fact]
    public void Missing_syslog_socket_is_looked_for_again_only_after_ten_seconds()
    {
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, "log.s");
        using var syslog = new SyslogWriter(2, "emailrelay", 42, path);
        var t0 = new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);
        syslog.Write(t0, LogLevel.Error, "lost");
        using var server = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(path));
        syslog.Write(t0.AddSeconds(9), LogLevel.Error, "dropped");
        syslog.Write(t0.AddSeconds(10), LogLevel.Error, "sent");
        var buffer = new byte[1000];
        server.ReceiveTimeout = 10_000;
        var n = server.Receive(buffer);
        Assert.Equal("<19>Nov 24 08:00:10 emailrelay[42]: sent", Encoding.UTF8.GetString(buffer, 0, n));
        Assert.Equal(0, server.Available);
    }
}
