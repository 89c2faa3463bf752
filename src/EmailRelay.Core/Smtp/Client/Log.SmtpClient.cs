using Microsoft.Extensions.Logging;

namespace EmailRelay.Smtp.Client;

/// <summary>
/// Forwarding client log messages at E-MailRelay's texts (reference §k). Event ids 1200–1299.
/// Summary level is Information, verbose (<c>-v</c>) is Debug.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1200, LogLevel.Information, "smtp connection to {Target}")]
    public static partial void ConnectionTo(ILogger logger, string target);

    [LoggerMessage(1201, LogLevel.Debug, "rx<<: \"{Line}\"")]
    public static partial void Received(ILogger logger, string line);

    [LoggerMessage(1202, LogLevel.Debug, "tx>>: \"{Line}\"")]
    public static partial void Sent(ILogger logger, string line);

    [LoggerMessage(1203, LogLevel.Warning, "no greeting from remote server after {Seconds}s: continuing")]
    public static partial void NoGreeting(ILogger logger, long seconds);

    [LoggerMessage(1204, LogLevel.Debug, "forwarding: [{Reason}]")]
    public static partial void Forwarding(ILogger logger, string reason);

    [LoggerMessage(1205, LogLevel.Debug, "forwarding [{Id}]")]
    public static partial void ForwardingMessage(ILogger logger, string id);

    [LoggerMessage(1206, LogLevel.Debug, "forwarding: no more messages to send")]
    public static partial void NoMoreMessages(ILogger logger);

    [LoggerMessage(1207, LogLevel.Information, "forwarding: [{Reason}]: still busy from last time")]
    public static partial void StillBusy(ILogger logger, string reason);

    [LoggerMessage(1208, LogLevel.Warning, "smtp client error: {Message}")]
    public static partial void ClientError(ILogger logger, string message);

    [LoggerMessage(1209, LogLevel.Error, "forwarding: {Message}")]
    public static partial void RunFailed(ILogger logger, string message);

    [LoggerMessage(1210, LogLevel.Warning, "sending an 8-bit message to a 7-bit server")]
    public static partial void EightBitWarning(ILogger logger);

    [LoggerMessage(1211, LogLevel.Information, "failing message [{Id}]: {Reason}")]
    public static partial void Failing(ILogger logger, string id, string reason);

    [LoggerMessage(1212, LogLevel.Information, "deferring message [{Id}]: {Reason}")]
    public static partial void Deferring(ILogger logger, string id, string reason);

    [LoggerMessage(1213, LogLevel.Debug, "deleting envelope [{Id}]")]
    public static partial void Deleting(ILogger logger, string id);

    [LoggerMessage(1214, LogLevel.Debug, "{Kind} [{Name}]: [{Id}]: {Result}")]
    public static partial void ClientFilter(ILogger logger, string kind, string name, string id, string result);

    [LoggerMessage(1215, LogLevel.Warning, "client filter error: {Message}")]
    public static partial void FilterError(ILogger logger, string message, Exception exception);

    [LoggerMessage(1216, LogLevel.Warning, "discarding {Count} bytes received from the server before the tls handshake")]
    public static partial void DiscardedBeforeTls(ILogger logger, long count);

    [LoggerMessage(1217, LogLevel.Debug, "tls: certificate-subject=[{Subject}] required-peer-name=[{Name}] ok={Ok}")]
    public static partial void TlsPeer(ILogger logger, string subject, string name, int ok);

    [LoggerMessage(1218, LogLevel.Debug, "tls protocol established with {Peer} protocol {Protocol} cipher {Cipher}")]
    public static partial void TlsEstablished(ILogger logger, string peer, string protocol, string cipher);

    [LoggerMessage(1220, LogLevel.Debug, "smtp connection to {Target} closed by the server while idle: reconnecting")]
    public static partial void ReconnectingStale(ILogger logger, string target);

    [LoggerMessage(1221, LogLevel.Debug, "forwarding: skipping [{Id}]: {Reason}")]
    public static partial void SkippingMessage(ILogger logger, string id, string reason);

    [LoggerMessage(1222, LogLevel.Warning, "smtp client error: {Message}: failing over to {Next}")]
    public static partial void FailingOver(ILogger logger, string message, string next);

    [LoggerMessage(1223, LogLevel.Information, "message [{Id}] accepted by {Host}")]
    public static partial void AcceptedBy(ILogger logger, string id, string host);

    [LoggerMessage(1224, LogLevel.Warning, "rate limits: cannot read {Path}: {Message}: starting with full buckets")]
    public static partial void RateStateUnreadable(ILogger logger, string path, string message);

    [LoggerMessage(1225, LogLevel.Warning, "rate limits: cannot write {Path}: {Message}")]
    public static partial void RateStateUnwritable(ILogger logger, string path, string message);

    [LoggerMessage(1226, LogLevel.Debug, "forwarding: [{Id}] waits: {Reason}")]
    public static partial void RateLimited(ILogger logger, string id, string reason);
}
