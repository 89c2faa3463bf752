using System.Globalization;
using System.Text;
using EmailRelay.Protocol.Mail;

namespace EmailRelay.Protocol.Filters;

/// <summary>
/// The meaning of an address-verifier program's exit code and output (reference §c, "Address verifier"):
/// stdout is trimmed at the end and split on newlines into line1 and line2.
/// <code>
/// 0 with 2+ lines   local: line1 full name, line2 mailbox
/// 1 with 2+ lines   remote: line2 the address to store
/// 3                 temporary failure: 450 line1
/// 100               abort: drop the connection
/// anything else     invalid: 550 line1 (or "mailbox unavailable"); reason line2 or "exit code N"
/// </code>
/// </summary>
internal static class VerifierExitCodes
{
    /// <summary>The response of an invalid recipient whose program printed nothing.</summary>
    public const string DefaultResponse = "mailbox unavailable";

    /// <summary>The result of a verifier program that timed out: <c>450 timeout</c>.</summary>
    public static VerifierResult TimedOut { get; } = new(VerifierStatus.TemporaryFailure, "", "", "", "timeout", "timeout");

    /// <summary>The result of a verifier program that could not be executed: <c>550 error</c>.</summary>
    public static VerifierResult ExecError(string error) => new(VerifierStatus.PermanentFailure, "", "", "", "error", error);

    /// <summary>
    /// Splits stdout into its first two lines and counts the lines. Only the end is trimmed, as E-MailRelay trims it:
    /// a leading empty line is kept, so <c>"\nalice@here\n"</c> is line1 <c>""</c> and line2 <c>alice@here</c>.
    /// </summary>
    public static (string Line1, string Line2, int Count) Lines(ReadOnlySpan<byte> stdout)
    {
        var text = Encoding.UTF8.GetString(stdout).TrimEnd();
        var lines = text.Length == 0 ? [] : text.Split('\n');
        var line1 = lines.Length > 0 ? lines[0].TrimEnd('\r') : "";
        var line2 = lines.Length > 1 ? lines[1].TrimEnd('\r') : "";
        return (line1, line2, lines.Length);
    }

    /// <summary>Interprets an exit code and stdout.</summary>
    public static VerifierResult Interpret(int exitCode, ReadOnlySpan<byte> stdout)
    {
        var (line1, line2, count) = Lines(stdout);
        var reason = count > 1 ? line2 : "exit code " + exitCode.ToString(CultureInfo.InvariantCulture);
        return (exitCode, count >= 2) switch
        {
            (0, true) => new VerifierResult(VerifierStatus.Local, "", line2, line1, "", ""),
            (1, true) => new VerifierResult(VerifierStatus.Remote, line2, "", "", "", ""),
            (3, _) => new VerifierResult(VerifierStatus.TemporaryFailure, "", "", "", line1.Length > 0 ? line1 : DefaultResponse, reason),
            (100, _) => new VerifierResult(VerifierStatus.Abort, "", "", "", "", ""),
            _ => new VerifierResult(VerifierStatus.PermanentFailure, "", "", "", line1.Length > 0 ? line1 : DefaultResponse, reason),
        };
    }
}
