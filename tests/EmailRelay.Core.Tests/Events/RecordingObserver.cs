using EmailRelay.Events;

namespace EmailRelay.Core.Tests.Events;

/// <summary>Keeps every event it is given, in order.</summary>
internal sealed class RecordingObserver : IRelayEventObserver
{
    private readonly List<RelayEvent> _events = [];

    public List<RelayEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public void OnEvent(in RelayEvent relayEvent)
    {
        lock (_events)
        {
            _events.Add(relayEvent);
        }
    }

    /// <summary>The events as short lines (<c>Kind Service text</c>) for comparing sequences.</summary>
    public List<string> Lines(Func<RelayEvent, bool>? where = null) =>
        [.. Events.Where(e => where?.Invoke(e) ?? true).Select(Line)];

    public static string Line(RelayEvent e) => e.Kind switch
    {
        RelayEventKind.SessionOpened => $"{e.Kind} {e.Service} #{e.ConnectionId}",
        RelayEventKind.SessionClosed => $"{e.Kind} {e.Service} #{e.ConnectionId} {e.Text}",
        RelayEventKind.MessageReceived => $"{e.Kind} {e.MessageId} {e.Size}",
        RelayEventKind.Sending or RelayEventKind.Delivered => $"{e.Kind} {e.MessageId}",
        RelayEventKind.Deferred or RelayEventKind.Failed => $"{e.Kind} {e.MessageId} {e.Code} {e.Text}",
        RelayEventKind.FilterRun => $"{e.Kind} {e.Service} {e.MessageId} {e.Text}",
        RelayEventKind.ForwardingEnded => $"{e.Kind} {e.Size} {e.Text}".TrimEnd(),
        _ => $"{e.Kind} {e.Service} {e.Text}".TrimEnd(),
    };
}
