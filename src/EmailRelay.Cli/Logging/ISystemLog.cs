using Microsoft.Extensions.Logging;

namespace EmailRelay.Cli.Logging;

/// <summary>
/// The system's log that <c>--log</c> writes to besides stderr (reference §k): syslog on Unix (<see cref="SyslogWriter"/>),
/// the Event Log on Windows (<see cref="EventLogWriter"/>). It gets the line body, without the program name and
/// timestamp that the system log adds itself. Not thread-safe: the provider serialises.
/// </summary>
internal interface ISystemLog : IDisposable
{
    /// <summary>True while lines would be dropped anyway, so the caller can skip formatting them.</summary>
    bool IsDropping(DateTimeOffset localTime);

    /// <summary>Writes one line; failures are the writer's to tolerate.</summary>
    void Write(DateTimeOffset localTime, LogLevel level, string body);
}
