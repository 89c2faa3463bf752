using EmailRelay.Admin;
using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;

namespace EmailRelay.Core.Tests.Admin;

/// <summary>
/// Issue 23 item 1: an admin command that fails on the spool answers in E-MailRelay's words, never with a .NET
/// exception message (got before: <c>error: Access to the path '/tmp/.../spool' is denied.</c>).
/// </summary>
public sealed class AdminErrorTextTests
{
    public static TheoryData<Exception, string> Cases() => new()
    {
        { new UnauthorizedAccessException("Access to the path '/tmp/x/spool' is denied."), "message store error: permission denied" },
        { new SpoolException(new MessageId("emailrelay.1.2.3"), "cannot open: Access to the path '/tmp/x' is denied.", new UnauthorizedAccessException("Access to the path '/tmp/x' is denied.")), "message store error: permission denied" },
        { new DirectoryNotFoundException("Could not find a part of the path '/tmp/x'."), "message store error: no such file or directory" },
        { new IOException("Input/output error : '/tmp/x'"), "message store error: i/o error" },
        { new SpoolException("bad envelope line 3"), "message store error: invalid message" },
        { new SpoolException("cannot write: No space left") { IsDiskFull = true }, "message store error: no space left on device" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Spool_failures_have_fixed_wording_without_paths(Exception exception, string expected)
    {
        var text = AdminErrorText.For(exception);
        Assert.Equal(expected, text);
        Assert.DoesNotContain("/tmp", text, StringComparison.Ordinal);
    }
}
