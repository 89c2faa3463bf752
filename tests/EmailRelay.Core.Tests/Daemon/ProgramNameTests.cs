using EmailRelay.Cli.Daemon;

namespace EmailRelay.Core.Tests.Daemon;

/// <summary>
/// Issue 23 N: a copy of a tool under another name runs as that tool (E-MailRelay's suite runs <c>e.N.N.submit</c>,
/// which started our server before: <c>invalid option: "--from"</c>).
/// </summary>
public class ProgramNameTests
{
    [Theory]
    [InlineData("emailrelay", "emailrelay")]
    [InlineData("emailrelay.exe", "emailrelay")]
    [InlineData("emailrelay-submit", "emailrelay-submit")]
    [InlineData("EMAILRELAY-SUBMIT.EXE", "emailrelay-submit")]
    [InlineData("e.1234.1.submit", "emailrelay-submit")]
    [InlineData("my_submit", "emailrelay-submit")]
    [InlineData("emailrelay-resubmit", "emailrelay-resubmit")]
    [InlineData("e.9.9.resubmit", "emailrelay-resubmit")]
    [InlineData("emailrelay-passwd", "emailrelay-passwd")]
    [InlineData("e.1.passwd", "emailrelay-passwd")]
    [InlineData("emailrelay-filter-copy", "emailrelay-filter-copy")]
    [InlineData("x.filter-copy", "emailrelay-filter-copy")]
    [InlineData("emailrelay-dkim-keygen", "emailrelay-dkim-keygen")]
    [InlineData("e.1.1.dkim-keygen", "emailrelay-dkim-keygen")]
    [InlineData("emailrelay-passwd.exe", "emailrelay-passwd")]
    [InlineData("EmailRelay-Passwd.EXE", "emailrelay-passwd")]
    [InlineData("emailrelay-filter-copy.exe", "emailrelay-filter-copy")]
    [InlineData("emailrelay-resubmit.Exe", "emailrelay-resubmit")]
    [InlineData("emailrelay-service.exe", "emailrelay-service")]
    [InlineData("EMAILRELAY-SERVICE", "emailrelay-service")]
    [InlineData("emailrelay-gui.exe", "emailrelay")]
    [InlineData("submit", "emailrelay-submit")]
    [InlineData("emailrelaysubmit", "emailrelay")]
    [InlineData("e.1.1.relay", "emailrelay")]
    [InlineData("copy", "emailrelay")]
    [InlineData("", "emailrelay")]
    public void The_name_selects_the_tool(string name, string tool) => Assert.Equal(tool, ProgramName.ToolFor(name));
}
