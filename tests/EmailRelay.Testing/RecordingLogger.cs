using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Testing;

/// <summary>An <see cref="ILogger"/> that records every entry with the scopes active when it was written.</summary>
public sealed class RecordingLogger : ILogger
{
    private readonly AsyncLocal<ImmutableScopeStack?> _scopes = new();

    /// <summary>The entries written so far, in order.</summary>
    public ConcurrentQueue<RecordedLogEntry> Entries { get; } = new();

    /// <inheritdoc />
    public IDisposable BeginScope<TState>(TState state)
        where TState : notnull
    {
        var previous = _scopes.Value;
        _scopes.Value = new ImmutableScopeStack(state, previous);
        return new ScopeToken(() => _scopes.Value = previous);
    }

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => true;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        var scopes = new List<object>();
        for (var s = _scopes.Value; s is not null; s = s.Next)
        {
            scopes.Add(s.State);
        }

        Entries.Enqueue(new RecordedLogEntry(logLevel, eventId, formatter(state, exception), exception, scopes));
    }

    private sealed record ImmutableScopeStack(object State, ImmutableScopeStack? Next);

    private sealed class ScopeToken(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
