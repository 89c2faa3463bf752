using Microsoft.Extensions.Logging;

namespace EmailRelay.Net;

/// <summary>Log messages of the listeners. Event ids 100-199 (Diagnostics/EventIds.md).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "{Service} server on {Address}")]
    public static partial void ServerListening(ILogger logger, string service, string address);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "configured to reject non-local {Service} connection: {Address} is not in {Ranges}")]
    public static partial void NonLocalRejected(ILogger logger, string service, string address, string ranges);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "{Service} connection failed: {Reason}")]
    public static partial void HandlerFailed(ILogger logger, string service, string reason, Exception exception);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "{Service} server: accept failed: {Reason}")]
    public static partial void AcceptFailed(ILogger logger, string service, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "{Service} connection refused: {Address} is not a trusted PROXY protocol balancer")]
    public static partial void ProxyUntrusted(ILogger logger, string service, string address);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "{Service} connection from balancer {Address} closed: {Reason}")]
    public static partial void ProxyFailed(ILogger logger, string service, string address, string reason);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "{Service} connection from {Client} via balancer {Balancer} (PROXY protocol v{Version}{Tls})")]
    public static partial void ProxyAccepted(ILogger logger, string service, string client, string balancer, int version, string tls);
}
