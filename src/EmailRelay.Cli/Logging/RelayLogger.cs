using Microsoft.Extensions.Logging;

namespace EmailRelay.Cli.Logging;

/// <summary>One category's logger; everything is delegated to the <see cref="RelayLoggerProvider"/> (the category is not printed).</summary>
internal sealed class RelayLogger : ILogger
{
    private readonly RelayLoggerProvider _provider;

    /// <summary>Creates a logger of the provider.</summary>
    public RelayLogger(RelayLoggerProvider provider) => _provider = provider;

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _provider.Scopes.Push(state);

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => _provider.Settings.IsEnabled(logLevel);

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        _provider.Write(logLevel, formatter(state, exception));
    }
}
