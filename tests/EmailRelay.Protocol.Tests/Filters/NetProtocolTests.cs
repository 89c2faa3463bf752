using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;

namespace EmailRelay.Protocol.Tests.Filters;

public class NetProtocolTests
{
    [Theory]
    [InlineData("ok", FilterOutcome.Ok, "", 0, "")]
    [InlineData("ok thanks", FilterOutcome.Ok, "", 0, "")]
    [InlineData("100", FilterOutcome.Abandon, "", 0, "")]
    [InlineData("rejected", FilterOutcome.Fail, "rejected", 0, "rejected")]
    [InlineData("553 no thanks", FilterOutcome.Fail, "no thanks", 553, "no thanks")]
    [InlineData("452 busy\tqueue full", FilterOutcome.Fail, "busy", 452, "queue full")]
    [InlineData("spam\tscore 9", FilterOutcome.Fail, "spam", 0, "score 9")]
    [InlineData("", FilterOutcome.Fail, "rejected", 0, "rejected")]
    [InlineData("OK", FilterOutcome.Fail, "OK", 0, "OK")]
    public void Net_filter_replies_are_read_as_the_reference_says(string line, FilterOutcome outcome, string response, int code, string reason)
        => Assert.Equal(new FilterResult(outcome, false, response, code, reason), NetFilterReply.Parse(line));

    [Fact]
    public void Verifier_request_is_six_pipe_separated_fields()
        => Assert.Equal("a@b|c@d|127.0.0.1:25|example.com|none|", NetVerifierProtocol.FormatRequest("a@b", "c@d", "127.0.0.1:25", "example.com", "none", ""));

    [Theory]
    [InlineData("0|alice|Alice Smith", VerifierStatus.Local, "", "alice", "Alice Smith", "", "")]
    [InlineData("1|bob@example.com", VerifierStatus.Remote, "bob@example.com", "", "", "", "")]
    [InlineData("2|no such user|not in list", VerifierStatus.PermanentFailure, "", "", "", "no such user", "not in list")]
    [InlineData("2|no such user", VerifierStatus.PermanentFailure, "", "", "", "no such user", "no such user")]
    [InlineData("3|try later", VerifierStatus.TemporaryFailure, "", "", "", "try later", "try later")]
    [InlineData("100", VerifierStatus.Abort, "", "", "", "", "")]
    [InlineData("2", VerifierStatus.PermanentFailure, "", "", "", "mailbox unavailable", "mailbox unavailable")]
    [InlineData("what", VerifierStatus.PermanentFailure, "", "", "", "mailbox unavailable", "invalid verifier response: what")]
    [InlineData("1|", VerifierStatus.PermanentFailure, "", "", "", "mailbox unavailable", "invalid verifier response: 1|")]
    public void Verifier_replies_are_read_as_the_reference_says(string line, VerifierStatus status, string address, string mailbox, string fullName, string response, string reason)
        => Assert.Equal(new VerifierResult(status, address, mailbox, fullName, response, reason), NetVerifierProtocol.ParseReply(line));
}
