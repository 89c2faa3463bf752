using Microsoft.Extensions.Logging;

namespace EmailRelay.Auth;

/// <summary>Secrets and PAM log messages. Event ids 1500–1549. Secrets themselves are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(1500, LogLevel.Information, "secrets file reloaded: {Path}")]
    public static partial void SecretsReloaded(ILogger logger, string path);

    [LoggerMessage(1501, LogLevel.Warning, "secrets file not reloaded, keeping the previous contents: {Message}")]
    public static partial void SecretsReloadFailed(ILogger logger, string message);

    [LoggerMessage(1502, LogLevel.Warning, "{Message}")]
    public static partial void SecretsWarning(ILogger logger, string message);

    [LoggerMessage(1503, LogLevel.Warning, "pam: {Message}")]
    public static partial void PamWarning(ILogger logger, string message);

    [LoggerMessage(1504, LogLevel.Debug, "oauth: new access token from {Source}, expires in {Seconds}s")]
    public static partial void TokenAcquired(ILogger logger, string source, string seconds);

    [LoggerMessage(1505, LogLevel.Warning, "oauth: no access token: {Reason}")]
    public static partial void TokenFailed(ILogger logger, string reason);
}
