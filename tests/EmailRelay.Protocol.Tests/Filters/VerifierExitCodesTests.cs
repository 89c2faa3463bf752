using System.Text;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;

namespace EmailRelay.Protocol.Tests.Filters;

public class VerifierExitCodesTests
{
    [Theory]
    [InlineData(0, "Full Name\nbox\n", VerifierStatus.Local)]
    [InlineData(0, "Full Name\r\nbox\r\n\n", VerifierStatus.Local)]
    [InlineData(0, "\nbox\n", VerifierStatus.Local)]
    [InlineData(1, "\nalice@here\n", VerifierStatus.Remote)]
    [InlineData(0, "only one line", VerifierStatus.PermanentFailure)]
    [InlineData(1, "x\nrewritten@y", VerifierStatus.Remote)]
    [InlineData(1, "", VerifierStatus.PermanentFailure)]
    [InlineData(2, "a\nb", VerifierStatus.PermanentFailure)]
    [InlineData(3, "", VerifierStatus.TemporaryFailure)]
    [InlineData(4, "", VerifierStatus.PermanentFailure)]
    [InlineData(100, "", VerifierStatus.Abort)]
    [InlineData(101, "a\nb", VerifierStatus.PermanentFailure)]
    public void Exit_codes_and_line_counts_give_the_status(int exit, string output, VerifierStatus status)
        => Assert.Equal(status, VerifierExitCodes.Interpret(exit, Encoding.UTF8.GetBytes(output)).Status);

    [Fact]
    public void Local_takes_full_name_from_line1_and_mailbox_from_line2()
    {
        var result = VerifierExitCodes.Interpret(0, "Full Name\r\nbox\r\n"u8);
        Assert.Equal(("Full Name", "box"), (result.FullName, result.Mailbox));
    }

    [Fact]
    public void Invalid_without_output_logs_the_exit_code()
    {
        var result = VerifierExitCodes.Interpret(7, ""u8);
        Assert.Equal(("mailbox unavailable", "exit code 7"), (result.Response, result.Reason));
    }

    [Fact]
    public void A_leading_empty_line_is_kept_so_line2_is_the_address()
    {
        // Issue 23 D: a verifier prints "\nalice@here\n" and exits 1. Expected (E-MailRelay): "exit code 1: [] [alice@here]"
        // and the recipient accepted as remote; got: "[alice@here] []" and "550 alice@here".
        Assert.Equal(("", "alice@here", 2), VerifierExitCodes.Lines("\nalice@here\n"u8));
        var result = VerifierExitCodes.Interpret(1, "\nalice@here\n"u8);
        Assert.Equal((VerifierStatus.Remote, "alice@here"), (result.Status, result.Address));
    }

    [Theory]
    [InlineData("", "", "", 0)]
    [InlineData("a\r\nb\r\n", "a", "b", 2)]
    [InlineData("a\n\n\n", "a", "", 1)]
    [InlineData("\n\nx", "", "", 3)]
    public void Only_the_end_is_trimmed(string output, string line1, string line2, int count)
        => Assert.Equal((line1, line2, count), VerifierExitCodes.Lines(Encoding.UTF8.GetBytes(output)));
}
