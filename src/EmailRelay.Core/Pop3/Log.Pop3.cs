using Microsoft.Extensions.Logging;

namespace EmailRelay.Pop3;

/// <summary>Log messages of the POP3 server. Event ids 1300-1399.</summary>
internal static partial class Log
{
    [LoggerMessage(1300, LogLevel.Information, "pop connection from {Peer}")]
    public static partial void ConnectionFrom(ILogger logger, string peer);

    [LoggerMessage(1301, LogLevel.Information, "pop connection closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, string reason);

    [LoggerMessage(1302, LogLevel.Debug, "pop rx<<: \"{Line}\"")]
    public static partial void Received(ILogger logger, string line);

    [LoggerMessage(1303, LogLevel.Debug, "pop tx>>: \"{Line}\"")]
    public static partial void Sent(ILogger logger, string line);

    [LoggerMessage(1311, LogLevel.Debug, "pop rx<<: " + Diagnostics.ProtocolTrace.AuthResponseNotLogged)]
    public static partial void ReceivedAuthResponse(ILogger logger);

    [LoggerMessage(1304, LogLevel.Error, "pop connection failed: {Message}")]
    public static partial void ConnectionFailed(ILogger logger, string message, Exception exception);

    [LoggerMessage(1305, LogLevel.Warning, "possible command injection: data pipelined after STLS")]
    public static partial void StlsInjection(ILogger logger);

    [LoggerMessage(1306, LogLevel.Information, "pop authenticated: user [{User}]: {Count} message(s)")]
    public static partial void Authenticated(ILogger logger, string user, int count);

    [LoggerMessage(1307, LogLevel.Warning, "pop authentication failed")]
    public static partial void AuthenticationFailed(ILogger logger);

    [LoggerMessage(1308, LogLevel.Warning, "pop: too many authentication failures")]
    public static partial void AuthFailureLimit(ILogger logger);

    [LoggerMessage(1309, LogLevel.Warning, "pop: cannot read message content: {Message}")]
    public static partial void ContentError(ILogger logger, string message);

    [LoggerMessage(1310, LogLevel.Information, "successful authentication of remote client using mechanism [{Mechanism}] and {SecretInfo}")]
    public static partial void AuthSucceeded(ILogger logger, string mechanism, string secretInfo);
}
