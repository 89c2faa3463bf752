using Microsoft.Extensions.Logging;

namespace EmailRelay.Admin;

/// <summary>Log messages of the admin interface. Event ids 6000-6099.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "admin connection from {Peer}")]
    public static partial void Connected(ILogger logger, string peer);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Debug, Message = "admin command: [{Command}]")]
    public static partial void Command(ILogger logger, string command);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "admin: too many errors: closing")]
    public static partial void TooManyErrors(ILogger logger);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "received a terminate command from {Peer}")]
    public static partial void TerminateRequest(ILogger logger, string peer);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "admin command failed: {Reason}")]
    public static partial void CommandFailed(ILogger logger, string reason);
}
