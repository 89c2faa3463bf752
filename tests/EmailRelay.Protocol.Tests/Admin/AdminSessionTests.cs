using EmailRelay.Protocol.Admin;

namespace EmailRelay.Protocol.Tests.Admin;

public sealed class AdminSessionTests
{
    private const string P = AdminSession.Prompt;

    [Theory]
    [InlineData("help", AdminCommandKind.Help)]
    [InlineData("HeLp", AdminCommandKind.Help)]
    [InlineData("forward", AdminCommandKind.Forward)]
    [InlineData("flush", AdminCommandKind.Flush)]
    [InlineData("list", AdminCommandKind.List)]
    [InlineData("failures", AdminCommandKind.Failures)]
    [InlineData("unfail-all", AdminCommandKind.UnfailAll)]
    [InlineData("pid", AdminCommandKind.Pid)]
    [InlineData("status", AdminCommandKind.Status)]
    [InlineData("info version", AdminCommandKind.Info)]
    [InlineData("notify", AdminCommandKind.Notify)]
    [InlineData("smtp disable", AdminCommandKind.SmtpDisable)]
    [InlineData("smtp Enable", AdminCommandKind.SmtpEnable)]
    [InlineData("smtp", AdminCommandKind.SmtpUsage)]
    [InlineData("smtp off", AdminCommandKind.SmtpUsage)]
    [InlineData("dnsbl stop", AdminCommandKind.DnsblStop)]
    [InlineData("dnsbl stop 10", AdminCommandKind.DnsblStop)]
    [InlineData("dnsbl start", AdminCommandKind.DnsblStart)]
    [InlineData("dnsbl stop x", AdminCommandKind.DnsblUsage)]
    [InlineData("dnsbl", AdminCommandKind.DnsblUsage)]
    [InlineData("terminate", AdminCommandKind.Unrecognised)]
    [InlineData("quit", AdminCommandKind.Quit)]
    [InlineData("  ", AdminCommandKind.Empty)]
    [InlineData("", AdminCommandKind.Empty)]
    [InlineData("lis", AdminCommandKind.Unrecognised)]
    public void Parse_recognises_each_command_case_insensitively(string line, AdminCommandKind kind) =>
        Assert.Equal(kind, AdminCommandParser.Parse(line, allowTerminate: false).Kind);

    [Fact]
    public void Terminate_is_a_command_only_when_allowed() =>
        Assert.Equal(AdminCommandKind.Terminate, AdminCommandParser.Parse("TERMINATE", allowTerminate: true).Kind);

    [Fact]
    public void Dnsbl_stop_carries_its_seconds() =>
        Assert.Equal(30, AdminCommandParser.Parse("dnsbl stop 30", false).Seconds);

    [Fact]
    public void The_first_line_sets_the_line_ending_for_every_reply()
    {
        var session = new AdminSession(false);
        Assert.Equal("2.6.1\r\n" + P, session.Handle("info version\r").Output);
        Assert.Equal("a\r\nb\r\n" + P, session.Reply("a", "b"));
        Assert.Equal("\r\n" + P, session.Reply([]));
        var lf = new AdminSession(false);
        Assert.Equal(P, lf.Handle("").Output);
        Assert.Equal("a\nb\n" + P, lf.Reply("a", "b"));
    }

    [Fact]
    public void Relay_commands_produce_no_output_of_their_own()
    {
        var step = new AdminSession(false).Handle("list");
        Assert.True(step.NeedsRelay);
        Assert.Equal("", step.Output);
    }

    [Fact]
    public void The_error_limit_closes_after_the_last_error_reply()
    {
        var session = new AdminSession(false, errorLimit: 3);
        Assert.False(session.Handle("x").Close);
        Assert.False(session.Handle("y").Close);
        var last = session.Handle("z");
        Assert.True(last.Close);
        Assert.Equal("error: unrecognised command\n" + P, last.Output);
        Assert.Throws<InvalidOperationException>(() => session.Handle("help"));
    }

    [Fact]
    public void Notify_events_have_the_reference_shape()
    {
        var session = new AdminSession(false);
        session.Handle("notify\r");
        Assert.True(session.IsNotifying);
        Assert.Equal("\r\nEVENT: client: sending: id1  ", session.FormatEvent(["client", "sending", "id1"]));
    }

    [Fact]
    public void Help_lists_terminate_only_when_allowed()
    {
        Assert.DoesNotContain("terminate", new AdminSession(false).Handle("help").Output, StringComparison.Ordinal);
        Assert.Contains("status, terminate, unfail-all\n", new AdminSession(true).Handle("help").Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Quit_closes_without_output()
    {
        var step = new AdminSession(false).Handle("quit");
        Assert.True(step.Close);
        Assert.Equal("", step.Output);
    }
}
