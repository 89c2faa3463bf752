using Microsoft.Extensions.Logging;

namespace EmailRelay.Pop3;

/// <summary>Log messages of the POP3 server. Event ids 1200-1219.</summary>
internal static partial class Log
{
    [LoggerMessage(1200, LogLevel.Information, "pop connection from {Peer}")]
    public static partial void ConnectionFrom(ILogger logger, string peer);

    [LoggerMessage(1201, LogLevel.Information, "pop connection closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, string reason);

    [LoggerMessage(1202, LogLevel.Debug, "pop rx<<: \"{Line}\"")]
    public static partial void Received(ILogger logger, string line);

    [LoggerMessage(1203, LogLevel.Debug, "pop tx>>: \"{Line}\"")]
    public static partial void Sent(ILogger logger, string line);

    [LoggerMessage(1204, LogLevel.Error, "pop connection failed: {Message}")]
    public static partial void ConnectionFailed(ILogger logger, string message, Exception exception);

    [LoggerMessage(1205, LogLevel.Warning, "possible command injection: data pipelined after STLS")]
    public static partial void StlsInjection(ILogger logger);

    [LoggerMessage(1206, LogLevel.Information, "pop authenticated: user [{User}]: {Count} message(s)")]
    public static partial void Authenticated(ILogger logger, string user, int count);

    [LoggerMessage(1207, LogLevel.Warning, "pop authentication failed")]
    public static partial void AuthenticationFailed(ILogger logger);

    [LoggerMessage(1208, LogLevel.Warning, "pop: too many authentication failures")]
    public static partial void AuthFailureLimit(ILogger logger);

    [LoggerMessage(1209, LogLevel.Warning, "pop: cannot read message content: {Message}")]
    public static partial void ContentError(ILogger logger, string message);
}
