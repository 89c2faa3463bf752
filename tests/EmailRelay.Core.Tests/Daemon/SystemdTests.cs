using EmailRelay.Cli.Daemon;

namespace EmailRelay.Core.Tests.Daemon;

public class SystemdTests
{
    private static readonly string[] s_units = ["", "in"];

    [Theory]
    [InlineData("100", "1", null, "smtp@3")]
    [InlineData("100", "2", "smtp:pop", "smtp@3 pop@4")]
    [InlineData("100", "3", "pop:admin:smtp", "pop@3 admin@4 smtp@5")]
    [InlineData("100", "2", "in-smtp:in-pop", "in/smtp@3 in/pop@4")]
    [InlineData("100", "1", "out-smtp", "smtp@3")]
    [InlineData("100", "1", "emailrelay.socket", "smtp@3")]
    [InlineData("100", "2", "smtp", "smtp@3 smtp@4")]
    [InlineData("101", "1", "smtp", "")]
    [InlineData(null, "1", "smtp", "")]
    [InlineData("100", null, "smtp", "")]
    [InlineData("100", "0", "", "")]
    [InlineData("100", "x", "", "")]
    [InlineData("x", "1", "", "")]
    public void Listen_variables_pass_sockets_only_to_their_process(string? pid, string? fds, string? names, string expected)
    {
        var sockets = SocketActivation.Parse(pid, fds, names, 100, s_units);
        var text = string.Join(' ', sockets.Select(s => (s.Unit.Length > 0 ? s.Unit + "/" : "") + s.Service + "@" + s.Descriptor));
        Assert.Equal(expected, text);
    }

    [Theory]
    [InlineData("", "", "smtp=fd#3")]
    [InlineData("", "127.0.0.1", "smtp=fd#3 pop=127.0.0.1 admin=127.0.0.1")]
    [InlineData("", "smtp=127.0.0.1,pop=::1", "smtp=fd#3 pop=::1")]
    [InlineData("", "/run/relay.s", "smtp=fd#3")]
    [InlineData("", "pop=eth0", "smtp=fd#3 pop=eth0")]
    [InlineData("in", "127.0.0.1", "127.0.0.1")]
    public void Passed_sockets_replace_the_interfaces_of_their_services(string unit, string given, string expected)
    {
        var sockets = SocketActivation.Parse("1", "1", "smtp", 1, s_units);
        var result = SocketActivation.Interfaces(unit, given.Length == 0 ? [] : [given], sockets);
        Assert.Equal(expected, string.Join(' ', result));
    }

    [Theory]
    [InlineData("30000000", null, 15000.0)]
    [InlineData("30000000", "42", 15000.0)]
    [InlineData("200000", null, 100.0)]
    [InlineData("30000000", "43", null)]
    [InlineData("0", null, null)]
    [InlineData("-5", null, null)]
    [InlineData("x", null, null)]
    [InlineData(null, null, null)]
    public void The_watchdog_pings_at_half_its_interval_for_its_process(string? usec, string? pid, double? milliseconds)
    {
        Assert.Equal(milliseconds, SystemdNotifier.Interval(usec, pid, 42)?.TotalMilliseconds);
    }
}
