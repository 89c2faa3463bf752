using EmailRelay.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Cli.Logging;

/// <summary>
/// The <see cref="ILoggerProvider"/> that writes E-MailRelay's log (reference §k) to stderr or <c>--log-file</c>,
/// and to syslog. Scopes are shared by all its loggers, so the connection and message scopes opened by the
/// listeners and drivers give the line context. Thread-safe: lines are written under one lock.
/// </summary>
internal sealed class RelayLoggerProvider : ILoggerProvider
{
    private readonly LogSettings _settings;
    private readonly LogLineFormatter _formatter;
    private readonly TimeProvider _time;
    private readonly LoggerExternalScopeProvider _scopes = new();
    private readonly Lock _lock = new();
    private readonly LogFileWriter? _file;
    private readonly ISystemLog? _syslog;
    private TextWriter? _stderr;

    /// <summary>Creates the provider.</summary>
    /// <param name="settings">The resolved options.</param>
    /// <param name="time">The clock for timestamps (local time of its time zone).</param>
    /// <param name="stderr">The stderr writer (<see cref="Console.Error"/> in production).</param>
    /// <param name="syslog">The system log (syslog, or the Event Log on Windows), or null for none.</param>
    public RelayLoggerProvider(LogSettings settings, TimeProvider time, TextWriter stderr, ISystemLog? syslog)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        _settings = settings;
        _formatter = new LogLineFormatter(settings);
        _time = time;
        _stderr = stderr;
        _file = settings.LogFile is null ? null : new LogFileWriter(settings.LogFile);
        _file?.Open(time.GetLocalNow());
        _syslog = syslog;
    }

    /// <summary>The settings.</summary>
    public LogSettings Settings => _settings;

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new RelayLogger(this);

    /// <summary>Stops stderr output (<c>--close-stderr</c>); the log file and syslog continue.</summary>
    public void CloseStderr()
    {
        lock (_lock)
        {
            _stderr = null;
        }
    }

    /// <summary>
    /// Reports a fatal startup error: as an error line through the normal outputs, and also on stderr when the
    /// normal output is a log file, so the operator who started the program sees why it stopped.
    /// </summary>
    public void WriteFatal(string message)
    {
        Write(LogLevel.Error, message);
        if (_file is not null)
        {
            lock (_lock)
            {
                _stderr?.WriteLine(_settings.ProgramName + ": error: " + message);
                _stderr?.Flush();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            _file?.Dispose();
            _syslog?.Dispose();
        }
    }

    internal IExternalScopeProvider Scopes => _scopes;

    internal void Write(LogLevel level, string text)
    {
        if (!_settings.IsEnabled(level))
        {
            return;
        }

        ConnectionLogScope? connection = null;
        MessageLogScope? message = null;
        _scopes.ForEachScope(
            (scope, _) =>
            {
                if (scope is ConnectionLogScope c)
                {
                    connection = c;
                }
                else if (scope is MessageLogScope m)
                {
                    message = m;
                }
            },
            (object?)null);

        var now = _time.GetLocalNow();
        var line = _formatter.FormatLine(now, level, text, connection, message);
        lock (_lock)
        {
            if (_file is not null)
            {
                _file.Write(now, line);
            }
            else if (_stderr is not null)
            {
                try
                {
                    _stderr.WriteLine(line);
                    _stderr.Flush();
                }
                catch (IOException)
                {
                    _stderr = null;
                }
            }

            if (_syslog is { } syslog && !syslog.IsDropping(now))
            {
                syslog.Write(now, level, _formatter.FormatBody(level, text, connection, message));
            }
        }
    }
}
