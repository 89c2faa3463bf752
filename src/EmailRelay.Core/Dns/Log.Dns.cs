using Microsoft.Extensions.Logging;

namespace EmailRelay.Dns;

/// <summary>The log lines of the DNS users (DNSBL). Event ids 7000-7099.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "dnsbl: address [{Address}] blocked by [{Servers}]")]
    public static partial void DnsblBlocked(ILogger logger, string address, string servers);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "dnsbl: address [{Address}] would be blocked by [{Servers}]")]
    public static partial void DnsblWouldBlock(ILogger logger, string address, string servers);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Debug, Message = "dnsbl: address [{Address}] not blocked")]
    public static partial void DnsblNotBlocked(ILogger logger, string address);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "dnsbl: address [{Address}]: no answer from [{Servers}] within {Milliseconds}ms: connection allowed")]
    public static partial void DnsblTimeoutAllowed(ILogger logger, string address, string servers, long milliseconds);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "dnsbl: address [{Address}] blocked: no answer from [{Servers}] within {Milliseconds}ms")]
    public static partial void DnsblTimeoutBlocked(ILogger logger, string address, string servers, long milliseconds);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Debug, Message = "dnsbl: address [{Address}] not checked: {Reason}")]
    public static partial void DnsblNotChecked(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Information, Message = "dnsbl: address [{Address}] listed by [{Servers}]: below the threshold of {Threshold}")]
    public static partial void DnsblBelowThreshold(ILogger logger, string address, string servers, int threshold);
}
