using EmailRelay.Core.Tests.Processes;
using EmailRelay.Protocol.Mail;
using EmailRelay.Testing;
using EmailRelay.Verifiers;

namespace EmailRelay.Core.Tests.Verifiers;

public class ProgramVerifierTests
{
    private static readonly VerifierRequest s_request = new("local1@x", "a@b.c", "127.0.0.1:40630", "relay.example.org", "plain", "alice");

    private static async Task<VerifierResult> Verify(string body, VerifierRequest? request = null, TimeSpan? timeout = null)
    {
        using var dir = new TestDirectory();
        var script = ProcessRunnerTests.Script(dir, "v.sh", "#!/bin/sh\n" + body + "\n");
        return await new ProgramVerifier(script, timeout ?? TimeSpan.FromSeconds(30), TimeProvider.System).VerifyAsync(request ?? s_request, CancellationToken.None);
    }

    [Fact]
    public async Task The_program_gets_the_six_arguments_in_order()
    {
        var result = await Verify("echo \"$1|$2|$3|$4|$5|$6|$#\"\necho mbox\nexit 0");
        Assert.Equal(VerifierStatus.Local, result.Status);
        Assert.Equal("local1@x|a@b.c|127.0.0.1:40630|relay.example.org|plain|alice|6", result.FullName);
        Assert.Equal("mbox", result.Mailbox);
    }

    [Fact]
    public async Task Exit_1_with_two_lines_is_remote_with_the_rewritten_address()
    {
        var result = await Verify("echo ok\necho LOCAL1@X.example\nexit 1");
        Assert.Equal((VerifierStatus.Remote, "LOCAL1@X.example"), (result.Status, result.Address));
    }

    [Theory]
    [InlineData("exit 0", VerifierStatus.PermanentFailure, "mailbox unavailable", "exit code 0")]
    [InlineData("echo one\nexit 1", VerifierStatus.PermanentFailure, "one", "exit code 1")]
    [InlineData("echo 'no such user'\necho 'not in the list'\nexit 2", VerifierStatus.PermanentFailure, "no such user", "not in the list")]
    [InlineData("echo 'try later'\nexit 3", VerifierStatus.TemporaryFailure, "try later", "exit code 3")]
    [InlineData("exit 4", VerifierStatus.PermanentFailure, "mailbox unavailable", "exit code 4")]
    [InlineData("exit 101", VerifierStatus.PermanentFailure, "mailbox unavailable", "exit code 101")]
    [InlineData("exit 100", VerifierStatus.Abort, "", "")]
    public async Task Exit_codes_follow_the_table(string body, VerifierStatus status, string response, string reason)
    {
        var result = await Verify(body);
        Assert.Equal((status, response, reason), (result.Status, result.Response, result.Reason));
    }

    [Fact]
    public async Task A_timeout_is_a_temporary_timeout()
    {
        var result = await Verify("sleep 30", timeout: TimeSpan.FromMilliseconds(400));
        Assert.Equal((VerifierStatus.TemporaryFailure, "timeout"), (result.Status, result.Response));
    }

    [Fact]
    public async Task An_exec_error_is_a_permanent_error()
    {
        var result = await new ProgramVerifier("/nonexistent/verifier", TimeSpan.FromSeconds(5), TimeProvider.System).VerifyAsync(s_request, CancellationToken.None);
        Assert.Equal((VerifierStatus.PermanentFailure, "error"), (result.Status, result.Response));
    }

    [Fact]
    public async Task A_hostile_address_is_one_argument_and_runs_nothing()
    {
        using var dir = new TestDirectory();
        var pwned = Path.Combine(dir.Path, "pwned");
        var address = "\"a;touch " + pwned + "\"`touch " + pwned + "`$(touch " + pwned + ")@y";
        var result = await Verify("echo \"[$1]\"\necho \"$#\"\nexit 0", s_request with { Address = address });
        Assert.Equal(("[" + address + "]", "6"), (result.FullName, result.Mailbox));
        Assert.False(File.Exists(pwned));
    }
}
