using Microsoft.Extensions.Logging;

namespace EmailRelay.Testing;

/// <summary>One entry captured by <see cref="RecordingLogger"/>.</summary>
/// <param name="Level">The level.</param>
/// <param name="EventId">The event id.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Exception">The exception, if any.</param>
/// <param name="Scopes">The active scopes, innermost first.</param>
public sealed record RecordedLogEntry(LogLevel Level, EventId EventId, string Message, Exception? Exception, IReadOnlyList<object> Scopes);
