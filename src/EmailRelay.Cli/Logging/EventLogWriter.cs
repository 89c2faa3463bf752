using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Cli.Logging;

/// <summary>
/// The Windows Event Log as the system log (reference §j: "the event log instead of syslog"): each line is one event of
/// source <see cref="Source"/> in the Application log, its one string the same body the Linux syslog line carries, its
/// type error, warning or information by level (<see cref="EventType"/>). <c>ReportEventW</c> through advapi32, the
/// smallest AOT-safe way (<c>System.Diagnostics.EventLog</c> is not part of .NET on its own). <c>--install</c>
/// registers the source with .NET Framework's <c>EventLogMessages.dll</c> (every event id is <c>%1</c>), so Event
/// Viewer shows the text alone; an unregistered source still logs, with Event Viewer's "description cannot be found"
/// preface. A source that cannot be opened drops lines, as a missing syslog socket does. Windows only: the callers
/// check <see cref="OperatingSystem.IsWindows"/>.
/// </summary>
internal sealed partial class EventLogWriter : ISystemLog
{
    /// <summary>The event source, as E-MailRelay for Windows names it.</summary>
    public const string Source = "E-MailRelay";

    /// <summary>The event id of every line.</summary>
    public const uint EventId = 1000;

    private nint _handle;

    /// <summary>Opens the source on this computer.</summary>
    public EventLogWriter()
    {
        _handle = RegisterEventSource(null, Source);
    }

    /// <summary>The event type of a level: <c>EVENTLOG_ERROR_TYPE</c> 1, <c>EVENTLOG_WARNING_TYPE</c> 2, <c>EVENTLOG_INFORMATION_TYPE</c> 4.</summary>
    public static ushort EventType(LogLevel level) => level switch
    {
        LogLevel.Critical or LogLevel.Error => 1,
        LogLevel.Warning => 2,
        _ => 4,
    };

    /// <inheritdoc />
    public bool IsDropping(DateTimeOffset localTime) => _handle == 0;

    /// <inheritdoc />
    public unsafe void Write(DateTimeOffset localTime, LogLevel level, string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (_handle == 0)
        {
            return;
        }

        fixed (char* text = body)
        {
            char* strings = text;
            _ = ReportEvent(_handle, EventType(level), 0, EventId, 0, 1, 0, &strings, null);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_handle != 0)
        {
            _ = DeregisterEventSource(_handle);
            _handle = 0;
        }
    }

    [LibraryImport("advapi32.dll", EntryPoint = "RegisterEventSourceW", StringMarshalling = StringMarshalling.Utf16)]
    private static partial nint RegisterEventSource(string? server, string source);

    [LibraryImport("advapi32.dll", EntryPoint = "ReportEventW")]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static unsafe partial bool ReportEvent(nint handle, ushort type, ushort category, uint eventId, nint userSid, ushort stringCount, uint dataSize, char** strings, void* data);

    [LibraryImport("advapi32.dll")]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool DeregisterEventSource(nint handle);
}
