using Microsoft.Extensions.Logging;

namespace EmailRelay.Web;

/// <summary>The web console's log lines.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 9000, Level = LogLevel.Information, Message = "http server on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "web: {Account}: signed in from {Remote} ({Role})")]
    public static partial void SignedIn(ILogger logger, string account, string remote, string role);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "web: sign-in failed for [{Account}] from {Remote}")]
    public static partial void SignInFailed(ILogger logger, string account, string remote);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Information, Message = "web: {Account}: {Action}{Target}: {Result}")]
    public static partial void Action(ILogger logger, string account, string action, string target, string result);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Warning, Message = "web: {Account}: {Method} {Path} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string account, string method, string path, string reason);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Warning, Message = "web: spool index: {Reason}")]
    public static partial void IndexProblem(ILogger logger, string reason);

    [LoggerMessage(EventId = 9006, Level = LogLevel.Information, Message = "web: {Account}: signed out")]
    public static partial void SignedOut(ILogger logger, string account);
}
