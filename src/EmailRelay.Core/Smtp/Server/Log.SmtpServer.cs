using Microsoft.Extensions.Logging;

namespace EmailRelay.Smtp.Server;

/// <summary>
/// SMTP server log messages at E-MailRelay's texts (reference §k). Event ids 1000–1099.
/// E-MailRelay's summary level is Information, its verbose level (<c>-v</c>) is Debug.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "smtp connection from {Peer}")]
    public static partial void ConnectionFrom(ILogger logger, string peer);

    [LoggerMessage(1001, LogLevel.Information, "smtp connection closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, string reason);

    [LoggerMessage(1002, LogLevel.Debug, "rx<<: \"{Line}\"")]
    public static partial void Received(ILogger logger, string line);

    [LoggerMessage(1003, LogLevel.Debug, "tx>>: \"{Line}\"")]
    public static partial void Sent(ILogger logger, string line);

    [LoggerMessage(1004, LogLevel.Debug, "rx<<: " + Diagnostics.ProtocolTrace.AuthResponseNotLogged)]
    public static partial void ReceivedAuthResponse(ILogger logger);


    [LoggerMessage(1005, LogLevel.Information, "rejected by filter: [{Reason}]")]
    public static partial void RejectedByFilter(ILogger logger, string reason);

    [LoggerMessage(1006, LogLevel.Warning, "empty MAIL-FROM return path")]
    public static partial void EmptyReturnPath(ILogger logger);

    [LoggerMessage(1007, LogLevel.Warning, "rejecting recipient \"{Address}\": {Response}: {Reason}")]
    public static partial void RejectingRecipient(ILogger logger, string address, string response, string reason);

    [LoggerMessage(1008, LogLevel.Error, "smtp connection failed: {Message}")]
    public static partial void ConnectionFailed(ILogger logger, string message, Exception exception);

    [LoggerMessage(1029, LogLevel.Warning, "filter exception: message store error: {Message}")]
    public static partial void FilterException(ILogger logger, string message);

    [LoggerMessage(1028, LogLevel.Warning, "tls error: SSL_accept(): [{Reason}]")]
    public static partial void TlsError(ILogger logger, string reason);

    [LoggerMessage(1009, LogLevel.Warning, "spool error: {Message}")]
    public static partial void SpoolError(ILogger logger, string message, Exception exception);

    [LoggerMessage(1010, LogLevel.Debug, "forwarding: [rescan]")]
    public static partial void ForwardingRescan(ILogger logger);

    [LoggerMessage(1011, LogLevel.Debug, "[message content not logged]")]
    public static partial void ContentNotLogged(ILogger logger);

    [LoggerMessage(1012, LogLevel.Warning, "smtp client error limit reached: {Reply}")]
    public static partial void ErrorLimitReached(ILogger logger, string reply);

    [LoggerMessage(1013, LogLevel.Warning, "message rejected: {Reply}")]
    public static partial void MessageRejected(ILogger logger, string reply);

    [LoggerMessage(1014, LogLevel.Debug, "filter [{Name}]: [{Id}]: {Outcome} response=[{Response}] reason=[{Reason}]")]
    public static partial void FilterResult(ILogger logger, string name, string id, string outcome, string response, string reason);

    [LoggerMessage(1015, LogLevel.Warning, "possible command injection: data pipelined after STARTTLS")]
    public static partial void StartTlsInjection(ILogger logger);

    [LoggerMessage(1040, LogLevel.Information, "trusting [{Address}]: matched [{Pattern}] from line {Line}")]
    public static partial void Trusting(ILogger logger, string address, string pattern, int line);

    [LoggerMessage(1041, LogLevel.Information, "successful authentication of remote client using mechanism [{Mechanism}] and {SecretInfo}")]
    public static partial void AuthSucceeded(ILogger logger, string mechanism, string secretInfo);

    [LoggerMessage(1042, LogLevel.Warning, "failed authentication: id [{Id}] mechanism {Mechanism}")]
    public static partial void AuthFailed(ILogger logger, string id, string mechanism);

    [LoggerMessage(1043, LogLevel.Warning, "client protocol error: AUTH requested but not advertised: {Mechanism}")]
    public static partial void AuthNotAdvertised(ILogger logger, string mechanism);

    [LoggerMessage(1044, LogLevel.Information, "tls protocol established with {Peer} protocol {Protocol} cipher {Cipher}")]
    public static partial void TlsEstablished(ILogger logger, string peer, string protocol, string cipher);
}
