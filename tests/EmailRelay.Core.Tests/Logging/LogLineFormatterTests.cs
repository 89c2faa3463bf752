using System.Net;
using EmailRelay.Cli.Logging;
using EmailRelay.Diagnostics;
using EmailRelay.Protocol.Mail;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Core.Tests.Logging;

public class LogLineFormatterTests
{
    private static readonly DateTimeOffset s_time = new(2026, 11, 24, 2, 22, 5, 553, TimeSpan.FromHours(1));
    private static readonly ConnectionLogScope s_connection = new("in", new IPEndPoint(IPAddress.Loopback, 43830), 1);

    [Fact]
    public void Plain_line_has_program_level_and_text()
    {
        var f = new LogLineFormatter(new LogSettings { Enabled = true });
        Assert.Equal("emailrelay: info: smtp server on 127.0.0.1:12026", f.FormatLine(s_time, LogLevel.Information, "smtp server on 127.0.0.1:12026", null, null));
        Assert.Equal("emailrelay: warning: x", f.FormatLine(s_time, LogLevel.Warning, "x", s_connection, null));
        Assert.Equal("emailrelay: error: x", f.FormatLine(s_time, LogLevel.Error, "x", null, null));
        Assert.Equal("emailrelay: error: x", f.FormatLine(s_time, LogLevel.Critical, "x", null, null));
        Assert.Equal("emailrelay: info: x", f.FormatLine(s_time, LogLevel.Debug, "x", null, null));
        Assert.Equal("emailrelay: info: x", f.FormatLine(s_time, LogLevel.Trace, "x", null, null));
    }

    [Fact]
    public void Debug_option_prints_trace_level_as_debug()
    {
        var f = new LogLineFormatter(new LogSettings { Enabled = true, Debug = true });
        Assert.Equal("emailrelay: debug: x", f.FormatLine(s_time, LogLevel.Trace, "x", null, null));
    }

    [Fact]
    public void Time_is_local_time_with_milliseconds()
    {
        var f = new LogLineFormatter(new LogSettings { Time = true });
        Assert.Equal("emailrelay: 20261124.022205.553: info: x", f.FormatLine(s_time, LogLevel.Information, "x", null, null));
    }

    [Fact]
    public void Address_context_matches_the_fail2ban_contract()
    {
        var f = new LogLineFormatter(new LogSettings { Address = true });
        Assert.Equal("emailrelay: warning: 127.0.0.1; failed authentication", f.FormatLine(s_time, LogLevel.Warning, "failed authentication", s_connection, null));
        Assert.Equal("emailrelay: info: no context", f.FormatLine(s_time, LogLevel.Information, "no context", null, null));
    }

    [Fact]
    public void Unit_time_address_and_port_combine_like_the_reference_example()
    {
        var f = new LogLineFormatter(new LogSettings { Time = true, Unit = true, Address = true, Port = true });
        Assert.Equal(
            "emailrelay: 20261124.022205.553: info: [in] 127.0.0.1;43830: smtp connection from 127.0.0.1:43830",
            f.FormatLine(s_time, LogLevel.Information, "smtp connection from 127.0.0.1:43830", s_connection, null));
    }

    [Fact]
    public void Unit_is_not_shown_for_the_unnamed_unit_or_without_the_option()
    {
        var unnamed = s_connection with { Unit = string.Empty };
        Assert.Equal("emailrelay: info: x", new LogLineFormatter(new LogSettings { Unit = true }).FormatLine(s_time, LogLevel.Information, "x", unnamed, null));
        Assert.Equal("emailrelay: info: x", new LogLineFormatter(new LogSettings()).FormatLine(s_time, LogLevel.Information, "x", s_connection, null));
    }

    [Fact]
    public void Message_id_context_drops_the_emailrelay_prefix()
    {
        var f = new LogLineFormatter(new LogSettings { MessageId = true });
        var message = new MessageLogScope(new MessageId("emailrelay.24694.1795487004.1"));
        Assert.Equal("emailrelay: info: (24694.1795487004.1) forwarding", f.FormatLine(s_time, LogLevel.Information, "forwarding", null, message));
    }

    [Fact]
    public void Ipv6_peer_address_is_shown_without_brackets()
    {
        var f = new LogLineFormatter(new LogSettings { Address = true, Port = true });
        var scope = new ConnectionLogScope(string.Empty, new IPEndPoint(IPAddress.IPv6Loopback, 5), 2);
        Assert.Equal("emailrelay: info: ::1;5: x", f.FormatLine(s_time, LogLevel.Information, "x", scope, null));
    }

    [Fact]
    public void Very_long_text_is_cut_with_an_ellipsis()
    {
        var f = new LogLineFormatter(new LogSettings());
        var exact = new string('a', LogLineFormatter.MaxTextLength);
        Assert.Equal("emailrelay: info: " + exact, f.FormatLine(s_time, LogLevel.Information, exact, null, null));
        Assert.Equal("emailrelay: info: " + exact + " ...", f.FormatLine(s_time, LogLevel.Information, exact + "b", null, null));
    }

    [Fact]
    public void Syslog_body_has_no_program_or_time()
    {
        var f = new LogLineFormatter(new LogSettings { Time = true, Address = true });
        Assert.Equal("warning: 127.0.0.1; x", f.FormatBody(LogLevel.Warning, "x", s_connection, null));
    }
}
