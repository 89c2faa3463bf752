using System.Collections.Concurrent;
using EmailRelay.Events;
using EmailRelay.Net;

namespace EmailRelay.Hosting;

/// <summary>
/// A unit's SMTP server connections as admin <c>status</c> shows them (<c>IN started</c>, <c>IN finished</c>, one
/// <c>IN: &lt;local&gt; &lt;- &lt;peer&gt;</c> line per open connection, oldest first), counted from the event stream's
/// session events (issue 17), not by a wrapper around the handler. Thread-safe: sessions open and close on any thread.
/// </summary>
internal sealed class InboundConnections : IRelayEventObserver
{
    private readonly ConcurrentDictionary<long, string> _open = new();
    private long _started;
    private long _finished;

    /// <summary>Connections opened so far.</summary>
    public long Started => Interlocked.Read(ref _started);

    /// <summary>Connections closed so far.</summary>
    public long Finished => Interlocked.Read(ref _finished);

    /// <summary>The open connections as <c>&lt;local&gt; &lt;- &lt;peer&gt;</c>, oldest first.</summary>
    public IReadOnlyList<string> Open => [.. _open.OrderBy(p => p.Key).Select(p => p.Value)];

    /// <inheritdoc />
    public void OnEvent(in RelayEvent relayEvent)
    {
        if (relayEvent.Service != RelayService.Smtp)
        {
            return;
        }

        switch (relayEvent.Kind)
        {
            case RelayEventKind.SessionOpened:
                Interlocked.Increment(ref _started);
                _open[relayEvent.ConnectionId] = EndPointText.Format(relayEvent.Local) + " <- " + EndPointText.Format(relayEvent.Remote);
                break;
            case RelayEventKind.SessionClosed:
                _open.TryRemove(relayEvent.ConnectionId, out _);
                Interlocked.Increment(ref _finished);
                break;
        }
    }
}
