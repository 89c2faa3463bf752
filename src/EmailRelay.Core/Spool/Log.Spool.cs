using Microsoft.Extensions.Logging;

namespace EmailRelay.Spool;

/// <summary>Log messages of the spool. Event ids 3000-3099.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "new content file [{Path}]")]
    public static partial void NewContentFile(ILogger logger, string path);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "new envelope file [{Path}]")]
    public static partial void NewEnvelopeFile(ILogger logger, string path);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "cannot lock file: \"{Path}\"")]
    public static partial void CannotLock(ILogger logger, string path);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "ignoring \"{Path}\": {Reason}")]
    public static partial void IgnoringEnvelope(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "recovered stale lock: \"{Path}\" returned to the spool (its owner is gone)")]
    public static partial void RecoveredBusy(ILogger logger, string path);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "removed unacknowledged message: \"{Path}\" (its receiver is gone)")]
    public static partial void RecoveredNew(ILogger logger, string path);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "removed orphan lock file \"{Path}\"")]
    public static partial void RemovedOrphanLock(ILogger logger, string path);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "spool cleanup failed for \"{Path}\": {Reason}")]
    public static partial void CleanupFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "spool pool: {Count} file(s) left by an interrupted process cleaned or removed")]
    public static partial void PoolRecovered(ILogger logger, int count);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "failing envelope [{Id}.envelope.busy] -> [{Id}.envelope.bad]")]
    public static partial void FailingEnvelope(ILogger logger, string id);
}
