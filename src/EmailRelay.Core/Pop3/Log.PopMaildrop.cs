using Microsoft.Extensions.Logging;

namespace EmailRelay.Pop3;

/// <summary>Log messages of the POP maildrop (event ids 1350-1359 of the POP3 range).</summary>
internal static partial class Log
{
    [LoggerMessage(1350, LogLevel.Warning, "pop: skipping message \"{Id}\": {Reason}")]
    public static partial void Skipped(ILogger logger, string id, string reason);
}
