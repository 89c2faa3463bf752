using Microsoft.Extensions.Logging;

namespace EmailRelay.Spool;

/// <summary>Log messages of the spool's claim groups for POP (event ids 3050-3069 of the spool's range).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3050, Level = LogLevel.Warning, Message = "pop: cannot delete message \"{Id}\": {Reason}")]
    public static partial void PopDeleteFailed(ILogger logger, string id, string reason);

    [LoggerMessage(EventId = 3051, Level = LogLevel.Warning, Message = "pop: skipping message \"{Id}\": {Reason}")]
    public static partial void PopSkipped(ILogger logger, string id, string reason);

    [LoggerMessage(EventId = 3052, Level = LogLevel.Debug, Message = "pop: removed shared content \"{Path}\"")]
    public static partial void PopSharedContentRemoved(ILogger logger, string path);
}
