using Microsoft.Extensions.Logging;

namespace EmailRelay.Filters;

/// <summary>The log lines of the filters.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "invalid program: \"{Path}\" is a directory")]
    public static partial void InvalidProgram(ILogger logger, string path);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "filter program does not exist: \"{Path}\"")]
    public static partial void MissingProgram(ILogger logger, string path);

    // Reference §g "more verbose" (-v -v): filter/client-filter/routing-filter [<name>]: [<id>]: running <path>.
    [LoggerMessage(EventId = 5003, Level = LogLevel.Trace, Message = "{Kind} [{Name}]: [{Id}]: running {Path}")]
    public static partial void RunningProgram(ILogger logger, string kind, string name, string id, string path);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "filter [{Name}]: cannot connect: {Error}")]
    public static partial void NetConnectFailed(ILogger logger, string name, string error);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "{Filter}: nothing copied: no subdirectories in \"{Directory}\"")]
    public static partial void NothingCopied(ILogger logger, string filter, string directory);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "filter [{Name}] failed: exit code {ExitCode}: [{Response}]")]
    public static partial void FilterFailedExitCode(ILogger logger, string name, string exitCode, string response);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Debug, Message = "filter [{Name}]: [{Id}]: not signed: {Reason}")]
    public static partial void DkimUnsigned(ILogger logger, string name, string id, string reason);
}
